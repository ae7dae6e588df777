import { KubeConfig } from "@kubernetes/client-node";

/**
 * Where the controller's credentials come from: `--kubeconfig FILE` (its current context), or, inside a pod, the
 * service account the pod runs as (KUBERNETES_SERVICE_HOST and the mounted token and CA).
 */
export function loadKubeConfig(opts: { kubeconfig?: string; context?: string } = {}): KubeConfig {
  const kc = new KubeConfig();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else if (!process.env.KUBERNETES_SERVICE_HOST) throw new Error("not running in a cluster (KUBERNETES_SERVICE_HOST is unset) and no --kubeconfig given");
  else kc.loadFromCluster(); // the client 1.4 would build https://undefined:undefined without the variable
  if (opts.context) kc.setCurrentContext(opts.context);
  if (!kc.getCurrentCluster()) throw new Error(opts.kubeconfig ? `${opts.kubeconfig}: no current cluster (set current-context)` : "not running in a cluster and no --kubeconfig given");
  return kc;
}
