// The audit policy the launcher starts instances with, in the spirit of the policies kube's docs
// and GKE use: nothing for health, version and discovery noise; secrets, config maps and token
// requests and reviews never above Metadata (their bodies carry credentials); noisy system
// objects at Metadata or not at all; full request and response for other writes, Metadata for
// reads. RequestReceived is left out everywhere: ResponseComplete says everything it says.
export const defaultAuditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
omitManagedFields: true
rules:
  # Health, version and discovery: polled constantly, never interesting.
  - level: None
    nonResourceURLs: ["/healthz*", "/livez*", "/readyz*", "/version", "/version/", "/metrics", "/openapi*", "/api", "/api/*", "/apis", "/apis/*"]
  # Events and leases are written all the time by controllers and kubelets.
  - level: None
    resources:
      - group: ""
        resources: ["events"]
      - group: "events.k8s.io"
        resources: ["events"]
  - level: None
    verbs: ["get", "update", "watch"]
    resources:
      - group: "coordination.k8s.io"
        resources: ["leases"]
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
    resources:
      - group: ""
        resources: ["endpoints", "services", "services/status"]
      - group: "discovery.k8s.io"
        resources: ["endpointslices"]
  # Credentials live in these bodies: who and what only.
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets", "configmaps", "serviceaccounts/token"]
      - group: "authentication.k8s.io"
        resources: ["tokenreviews"]
  # Endpoints churn with every pod: record that it happened, not the body.
  - level: Metadata
    resources:
      - group: ""
        resources: ["endpoints"]
      - group: "discovery.k8s.io"
        resources: ["endpointslices"]
  # Reads: who read what.
  - level: Metadata
    verbs: ["get", "list", "watch"]
  # Every other write, with what was sent and what came back.
  - level: RequestResponse
    verbs: ["create", "update", "patch", "delete", "deletecollection"]
  # Anything else (non-resource writes, other verbs).
  - level: Metadata
`;
