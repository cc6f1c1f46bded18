// kube prints a whole spec in a validation message as Go's JSON of its internal struct (capitalised field
// names, every field in declaration order, null for nil): these build that shape from the v1 object.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const list = <T>(v: T[] | undefined, f: (x: T) => unknown) => (v ? v.map(f) : null);
const name = (v: Obj | undefined) => (v ? { Name: v.name ?? '' } : null);

export function flowSchemaSpecShape(spec: Obj): Obj {
  return {
    PriorityLevelConfiguration: { Name: spec.priorityLevelConfiguration?.name ?? '' },
    MatchingPrecedence: spec.matchingPrecedence ?? 0,
    DistinguisherMethod: distinguisherShape(spec.distinguisherMethod),
    Rules: list(spec.rules as Obj[] | undefined, (r) => ({
      Subjects: list(r.subjects as Obj[] | undefined, (s) => ({
        Kind: s.kind ?? '', User: name(s.user), Group: name(s.group),
        ServiceAccount: s.serviceAccount ? { Namespace: s.serviceAccount.namespace ?? '', Name: s.serviceAccount.name ?? '' } : null,
      })),
      ResourceRules: list(r.resourceRules as Obj[] | undefined, (rr) => ({
        Verbs: rr.verbs ?? null, APIGroups: rr.apiGroups ?? null, Resources: rr.resources ?? null, ClusterScope: Boolean(rr.clusterScope), Namespaces: rr.namespaces ?? null,
      })),
      NonResourceRules: list(r.nonResourceRules as Obj[] | undefined, (nr) => ({ Verbs: nr.verbs ?? null, NonResourceURLs: nr.nonResourceURLs ?? null })),
    })),
  };
}

export function distinguisherShape(dm: Obj | undefined): Obj | null {
  return dm ? { Type: dm.type ?? '' } : null;
}

export function priorityLevelSpecShape(spec: Obj): Obj {
  const l = spec.limited as Obj | undefined;
  const e = spec.exempt as Obj | undefined;
  const q = l?.limitResponse?.queuing as Obj | undefined;
  return {
    Type: spec.type ?? '',
    Limited: l ? {
      NominalConcurrencyShares: l.nominalConcurrencyShares ?? 0,
      LimitResponse: { Type: l.limitResponse?.type ?? '', Queuing: q ? { Queues: q.queues ?? 0, HandSize: q.handSize ?? 0, QueueLengthLimit: q.queueLengthLimit ?? 0 } : null },
      LendablePercent: l.lendablePercent ?? null, BorrowingLimitPercent: l.borrowingLimitPercent ?? null,
    } : null,
    Exempt: e ? { NominalConcurrencyShares: e.nominalConcurrencyShares ?? null, LendablePercent: e.lendablePercent ?? null } : null,
  };
}
