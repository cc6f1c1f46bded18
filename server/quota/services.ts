// kube's service evaluator (pkg/quota/v1/evaluator/core/services.go): counts, load balancers and node ports.
import type { KubeObject } from '../api/object.js';
import { quantity } from '../api/quantity.js';
import type { Evaluator } from './evaluator.js';
import type { ResourceList } from './resource-list.js';

const serviceResources = ['count/services', 'services', 'services.loadbalancers', 'services.nodeports'];

type ServiceSpec = { type?: string; ports?: Array<{ nodePort?: number }>; allocateLoadBalancerNodePorts?: boolean };

export const serviceEvaluator: Evaluator = {
  handles: (req) => req.subresource === '' && (req.operation === 'CREATE' || req.operation === 'UPDATE'),
  matchingResources: (input) => input.filter((n) => serviceResources.includes(n)),
  matchesScope: () => false,
  constraints: () => undefined,
  usage(obj: KubeObject): ResourceList {
    const spec = (obj.spec ?? {}) as ServiceSpec;
    const ports = spec.ports?.length ?? 0;
    const result: ResourceList = {
      'count/services': quantity(1), services: quantity(1),
      'services.loadbalancers': quantity(0), 'services.nodeports': quantity(0),
    };
    if (spec.type === 'NodePort') result['services.nodeports'] = quantity(ports);
    else if (spec.type === 'LoadBalancer') {
      // Without node ports allocated, only the ports that name one count.
      result['services.nodeports'] = quantity(spec.allocateLoadBalancerNodePorts === false
        ? (spec.ports ?? []).filter((p) => p.nodePort).length : ports);
      result['services.loadbalancers'] = quantity(1);
    }
    return result;
  },
};
