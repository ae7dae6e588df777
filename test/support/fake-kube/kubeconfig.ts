/**
 * The kubeconfig the fake hands to clients: its https URL, its self-signed certificate as the CA data, and a bearer
 * token (a wrong one gets 401). The same text a `--kubeconfig FILE` names.
 */
export function kubeconfigText(opts: { server: string; caPem: string; token: string; namespace?: string }): string {
  const ca = Buffer.from(opts.caPem).toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: fake",
    "  cluster:",
    `    server: ${opts.server}`,
    `    certificate-authority-data: ${ca}`,
    "users:",
    "- name: fake",
    "  user:",
    `    token: ${opts.token}`,
    "contexts:",
    "- name: fake",
    "  context:",
    "    cluster: fake",
    "    user: fake",
    ...(opts.namespace ? [`    namespace: ${opts.namespace}`] : []),
    "current-context: fake",
    "",
  ].join("\n");
}
