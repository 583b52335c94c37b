/**
 * Local Resource Groups Tagging API (signing name `tagging`, JSON 1.1, target prefix
 * `ResourceGroupsTaggingAPI_20170126`): GetResources over the local tag index (tag-index.ts), which the local
 * Cognito keeps for user pools. Copies AWS's TagFilters (AND across keys, OR across a key's values),
 * ResourceTypeFilters (`service` or `service:type`, matched against the ARN), ResourcesPerPage (1–100) and an
 * opaque PaginationToken, and the `ResourceTagMappingList` shape. Gaps: only what the index holds (user pools);
 * no TagResources/UntagResources, GetTagKeys, GetTagValues or compliance details.
 */
import { AwsError } from "../aws/errors.js";
import { type JsonService, operationTable } from "../aws/json-service.js";
import type { TagIndex } from "./tag-index.js";

interface TagFilter {
  Key?: string;
  Values?: string[];
}

export function createTaggingService(index: TagIndex): JsonService {
  return {
    signingName: "tagging",
    targetPrefix: "ResourceGroupsTaggingAPI_20170126",
    handle: operationTable("Resource Groups Tagging API", {
      GetResources: (input) => getResources(index, input),
    }),
  };
}

function getResources(index: TagIndex, input: Record<string, unknown>) {
  const filters = (input.TagFilters ?? []) as TagFilter[];
  if (!Array.isArray(filters) || filters.some((f) => typeof f?.Key !== "string" || !f.Key)) {
    throw new AwsError("InvalidParameterException", "Every TagFilter needs a Key.");
  }
  const types = (input.ResourceTypeFilters ?? []) as string[];
  const perPage = Number(input.ResourcesPerPage ?? 100);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) {
    throw new AwsError("InvalidParameterException", "ResourcesPerPage must be between 1 and 100.");
  }
  const start = input.PaginationToken ? Number.parseInt(String(input.PaginationToken), 36) : 0;
  if (!Number.isInteger(start) || start < 0)
    throw new AwsError("InvalidParameterException", "Bad PaginationToken.");

  const matches = index
    .find(filters.map((f) => ({ key: f.Key!, ...(f.Values ? { values: f.Values } : {}) })))
    .filter((arn) => types.length === 0 || types.some((t) => typeMatches(arn, t)))
    .sort();
  const page = matches.slice(start, start + perPage);
  const next = start + perPage < matches.length ? (start + perPage).toString(36) : "";
  return {
    ResourceTagMappingList: page.map((arn) => ({
      ResourceARN: arn,
      Tags: Object.entries(index.tagsOf(arn) ?? {}).map(([Key, Value]) => ({ Key, Value })),
    })),
    PaginationToken: next,
  };
}

/** `cognito-idp` or `cognito-idp:userpool` against `arn:aws:cognito-idp:<region>:<account>:userpool/<id>`. */
function typeMatches(arn: string, filter: string): boolean {
  const [, , service, , , resource = ""] = arn.split(":");
  const [wantService, wantType] = filter.split(":");
  if (service !== wantService) return false;
  return !wantType || resource.split("/")[0] === wantType;
}
