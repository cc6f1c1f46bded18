// What /version answers: the Kubernetes release this server speaks for.
export const serverVersion = {
  major: '1', minor: '35', gitVersion: 'v1.35.0', gitCommit: 'kube-apiserver-ts', gitTreeState: 'clean',
  buildDate: '2026-11-24T00:00:00Z', goVersion: 'go1.25.0', compiler: 'gc', platform: 'linux/amd64',
};
