/**
 * CreateUserPool takes no client token: the SDK's own retry after a lost answer makes a second pool (the soak found
 * tenants with two). The adapter sends it once; the step's retry finds the pool by its tag instead.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { afterEach, expect, it } from "vitest";
import { CognitoIdentityProvisioner } from "../../../core/adapters/identity.js";

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

it("a CreateUserPool whose answer is lost is not sent again by the SDK", async () => {
  const targets: string[] = [];
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "")
        .split(".")
        .at(-1)!;
      targets.push(target);
      if (target === "CreateUserPool") {
        req.socket.destroy(); // applied, then the answer is lost
        return;
      }
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify(target === "GetResources" ? { ResourceTagMappingList: [] } : {}));
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new CognitoIdentityProviderClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "unit", secretAccessKey: "unit" },
  });
  const adapter = new CognitoIdentityProvisioner(client);
  const tenantId = "7d1c4a3e-5b6f-4c2d-9e8f-0a1b2c3d4e5f";
  const attempt = adapter.ensureTenantIdentity(
    {
      tenantId,
      slug: "acme",
      companyName: "Acme",
      adminEmail: "ops@acme.test",
      invitation: { subject: "Welcome", html: "<p>{username} {####}</p>" },
      settings: {
        preTokenGenerationArn: "arn:aws:lambda:us-east-1:000000000000:function:pre-token-generation",
        mail: { sourceArn: "arn:aws:ses:us-east-1:000000000000:identity/x", from: "x@x.test" },
      },
    },
    async () => {},
  );
  await expect(attempt).rejects.toThrow();
  expect(targets.filter((t) => t === "CreateUserPool")).toHaveLength(1);
});
