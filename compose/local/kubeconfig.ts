// The admin kubeconfig the launcher writes for the first API server (later: the load balancer).

export function kubeconfig(server: string): string {
  return [
    'apiVersion: v1', 'kind: Config', 'preferences: {}',
    'clusters:', '- name: local', '  cluster:', `    server: ${server}`,
    // Plain HTTP until the TLS issue; client-node refuses an http server without this set.
    '    insecure-skip-tls-verify: true',
    'contexts:', '- name: local', '  context:', '    cluster: local', '    user: admin', '    namespace: default',
    'current-context: local',
    'users:', '- name: admin', '  user: {}', '',
  ].join('\n');
}
