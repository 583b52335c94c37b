/** Kubeconfig for the local stand-in: for kubectl (a file) and for @kubernetes/client-node (a KubeConfig). */
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { writeFileAtomic } from "../aws/state-file.js";

const NAME = "embark-local";
/** The stand-in accepts any bearer token; clients just need one to send. */
const TOKEN = "embark-local-dummy-token";

export function kubeconfigYaml(serverUrl: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: ${NAME}
  cluster:
    server: ${serverUrl}
    insecure-skip-tls-verify: true
users:
- name: ${NAME}
  user:
    token: ${TOKEN}
contexts:
- name: ${NAME}
  context:
    cluster: ${NAME}
    user: ${NAME}
    namespace: default
current-context: ${NAME}
preferences: {}
`;
}

export async function writeKubeconfig(path: string, serverUrl: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, kubeconfigYaml(serverUrl), { mode: 0o600 });
}

/** client-node needs skipTLSVerify even for http:// servers. */
export function kubeConfigFor(serverUrl: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: NAME, server: serverUrl, skipTLSVerify: true }],
    users: [{ name: NAME, token: TOKEN }],
    contexts: [{ name: NAME, cluster: NAME, user: NAME, namespace: "default" }],
    currentContext: NAME,
  });
  return kc;
}
