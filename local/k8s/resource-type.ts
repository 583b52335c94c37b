/** What the stand-in knows of a kind it serves (its discovery entry). */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  /** Kinds whose status is a subresource: writes to the main resource keep the stored status. */
  hasStatus?: boolean;
}
