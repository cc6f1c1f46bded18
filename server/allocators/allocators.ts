// ClusterIP and NodePort allocation, consistent across instances: each taken value is an etcd key
// created in a transaction, so two instances can never hand out the same one. A ClusterIP's key is
// an IPAddress object, as kube-apiserver 1.33+ records it: the API shows what is taken and by whom.
import { randomUUID } from 'node:crypto';
import { errors } from '../api/errors.js';
import { nowTimestamp } from '../registry/meta.js';
import { PreconditionFailed, type EtcdStorage } from '../storage/etcd3/etcd3.js';
import type { ClusterIPParent, StrategyServices } from '../registry/types.js';

const ipPrefix = '/registry/ipaddresses/';
const portPrefix = '/registry/ranges/servicenodeports/';

export class EtcdAllocators implements StrategyServices {
  private readonly base: number;
  private readonly size: number;

  constructor(private readonly storage: EtcdStorage, cidr: string, private readonly ports: [number, number]) {
    const m = cidr.match(/^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/);
    if (!m) throw new Error(`--service-cluster-ip-range must be an IPv4 CIDR, got ${cidr}`);
    const bits = Number(m[5]);
    const ip = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    this.base = (ip & mask) >>> 0;
    this.size = 2 ** (32 - bits);
  }

  /** The first usable address: the `kubernetes` service's ClusterIP. */
  firstIP(): string {
    return toIP(this.base + 1);
  }

  inRange(ip: string): boolean {
    const n = fromIP(ip);
    return n !== undefined && n > this.base && n < this.base + this.size - 1;
  }

  /** The range as configured, for error messages. */
  get cidr(): string {
    return `${toIP(this.base)}/${32 - Math.log2(this.size)}`;
  }

  /** A dry run checks and picks but takes nothing. */
  async allocateClusterIP(requested?: string, dryRun = false, parent?: ClusterIPParent): Promise<string> {
    if (requested) {
      if (!this.inRange(requested)) {
        throw new AllocationError(`the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${this.cidr}`);
      }
      if (!(await this.take(ipPrefix + requested, dryRun, ipAddressObject(requested, parent)))) throw new AllocationError('provided IP is already allocated');
      return requested;
    }
    for (let i = 0; i < 64; i++) {
      const ip = toIP(this.base + 2 + Math.floor(Math.random() * (this.size - 3)));
      if (await this.take(ipPrefix + ip, dryRun, ipAddressObject(ip, parent))) return ip;
    }
    throw errors.internal('failed to allocate a serviceIP: range is full');
  }

  async releaseClusterIP(ip: string): Promise<void> {
    await this.storage.client.delete().key(ipPrefix + ip);
  }

  async allocateNodePort(requested?: number, dryRun = false): Promise<number> {
    const [lo, hi] = this.ports;
    if (requested !== undefined) {
      if (requested < lo || requested > hi) throw new AllocationError(`provided port is not in the valid range. The range of valid ports is ${lo}-${hi}`);
      if (!(await this.take(portPrefix + requested, dryRun))) throw new AllocationError('provided port is already allocated');
      return requested;
    }
    for (let i = 0; i < 64; i++) {
      const port = lo + Math.floor(Math.random() * (hi - lo + 1));
      if (await this.take(portPrefix + port, dryRun)) return port;
    }
    throw errors.internal('failed to allocate a nodePort: range is full');
  }

  async releaseNodePort(port: number): Promise<void> {
    await this.storage.client.delete().key(portPrefix + port);
  }

  private async take(key: string, dryRun: boolean, value: Buffer = Buffer.from('1')): Promise<boolean> {
    if (dryRun) return !(await this.storage.get(key)).value;
    try {
      await this.storage.create(key, value);
      return true;
    } catch (e) {
      if (e instanceof PreconditionFailed) return false;
      throw e;
    }
  }
}

/** The stored IPAddress kube's allocator writes for a Service's ClusterIP (apiVersion, kind, metadata first, as the store keeps them). */
function ipAddressObject(ip: string, parent: ClusterIPParent | undefined): Buffer {
  return Buffer.from(JSON.stringify({
    apiVersion: 'networking.k8s.io/v1', kind: 'IPAddress',
    metadata: {
      name: ip, uid: randomUUID(), creationTimestamp: nowTimestamp(),
      labels: { 'ipaddress.kubernetes.io/ip-family': 'IPv4', 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io' },
    },
    spec: { parentRef: { resource: 'services', namespace: parent?.namespace ?? '', name: parent?.name ?? '' } },
  }));
}

/** Raised when a requested IP or port cannot be had; the Service strategy turns it into a field error. */
export class AllocationError extends Error {}

function toIP(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function fromIP(ip: string): number | undefined {
  const m = ip.match(/^(\d+)\.(\d+)\.(\d+)\.(\d+)$/);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}
