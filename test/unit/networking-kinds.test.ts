// networking.k8s.io/v1 ServiceCIDR and IPAddress through the generic store, and the IP/CIDR checks
// behind them, with kube-apiserver 1.35's messages (recorded from it).
import { describe, expect, it } from 'vitest';
import { cidrProblems, ipProblems } from '../../server/validation/ip.js';
import { memoryStore } from '../support/memory-store.js';

describe('IP and CIDR text, as apimachinery checks it', () => {
  it('names what is wrong: invalid, leading zeros, IPv4-mapped, not canonical, host bits', () => {
    expect(ipProblems('10.0.0.1')).toEqual([]);
    expect(ipProblems('2001:db8::1')).toEqual([]);
    expect(ipProblems('foo')).toEqual(['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']);
    expect(ipProblems('10.0.0.01')).toEqual(['must not have leading 0s']);
    expect(ipProblems('::ffff:1.2.3.4')).toEqual(['must not be an IPv4-mapped IPv6 address']);
    expect(ipProblems('2001:db8:0:0::1')).toEqual(['must be in canonical form ("2001:db8::1")']);
    expect(ipProblems('2001:DB8::1')).toEqual(['must be in canonical form ("2001:db8::1")']);
    expect(ipProblems('2001:0:0:1:0:0:0:1')).toEqual(['must be in canonical form ("2001:0:0:1::1")']);
    expect(cidrProblems('10.96.0.0/12')).toEqual([]);
    expect(cidrProblems('fd00::/108')).toEqual([]);
    expect(cidrProblems('10.0.0.1/24')).toEqual(['must not have bits set beyond the prefix length']);
    expect(cidrProblems('2001:db8::1/64')).toEqual(['must not have bits set beyond the prefix length']);
    expect(cidrProblems('x/8')).toEqual(['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']);
    expect(cidrProblems('10.0.0.0/33')).toEqual(['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']);
    expect(cidrProblems('010.0.0.0/8')).toEqual(['must not have leading 0s in IP or prefix length']);
    expect(cidrProblems('10.0.0.0/08')).toEqual(['must not have leading 0s in IP or prefix length']);
    expect(cidrProblems('2001:db8:0::/64')).toEqual(['must be in canonical form ("2001:db8::/64")']);
    expect(cidrProblems('::ffff:10.0.0.0/104')).toEqual(['must not have an IPv4-mapped IPv6 address']);
  });
});

describe('networking.k8s.io/v1', () => {
  const m = memoryStore();
  const cidrs = m.rt('networking.k8s.io', 'servicecidrs');
  const ips = m.rt('networking.k8s.io', 'ipaddresses');

  it('ServiceCIDR: one or two canonical CIDRs of different families; only a second family may be added; status only through /status', async () => {
    const c = await m.create(cidrs, { metadata: { name: 'extra' }, spec: { cidrs: ['10.100.0.0/24'] }, status: { conditions: [] } });
    expect(c.status).toEqual({});
    expect(await m.invalid(m.create(cidrs, { metadata: { name: 's2' }, spec: { cidrs: [] } }))).toBe('ServiceCIDR.networking.k8s.io "s2" is invalid: spec.cidrs: Required value: at least one CIDR required');
    expect(await m.invalid(m.create(cidrs, { metadata: { name: 's3' }, spec: { cidrs: ['10.0.0.1/24', '10.1.0.0/16'] } })))
      .toBe('ServiceCIDR.networking.k8s.io "s3" is invalid: [spec.cidrs[0]: Invalid value: "10.0.0.1/24": must not have bits set beyond the prefix length, spec.cidrs: Invalid value: ["10.0.0.1/24","10.1.0.0/16"]: may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64]');
    expect(await m.invalid(m.create(cidrs, { metadata: { name: 's4' }, spec: { cidrs: ['a', 'b', 'c'] } }))).toBe('ServiceCIDR.networking.k8s.io "s4" is invalid: spec.cidrs: Invalid value: {"CIDRs":["a","b","c"]}: may only hold up to 2 values');
    expect(await m.invalid(m.update(cidrs, { ...c, spec: { cidrs: ['10.101.0.0/24'] } }))).toBe('ServiceCIDR.networking.k8s.io "extra" is invalid: spec.cidrs[0]: Invalid value: "10.101.0.0/24": field is immutable');
    const dual = await m.update(cidrs, { ...c, spec: { cidrs: ['10.100.0.0/24', 'fd00::/108'] } });
    expect(dual.spec.cidrs).toEqual(['10.100.0.0/24', 'fd00::/108']);
    const ready = { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'X', message: 'm' }] };
    expect((await m.update(cidrs, { ...dual, status: ready })).status).toEqual({});
    expect((await m.update(cidrs, { ...(await m.store.get(cidrs, '', 'extra')), status: ready }, 'status')).status).toEqual(ready);
    expect(m.table(cidrs, dual)).toMatchObject({ columns: ['Name', 'CIDRs', 'Age'], cells: ['extra', '10.100.0.0/24,fd00::/108', expect.any(String)] });
  });

  it('IPAddress: the name is a canonical IP, parentRef required and immutable, the core group left out; PARENTREF', async () => {
    const ip = await m.create(ips, { metadata: { name: '10.100.0.5' }, spec: { parentRef: { group: '', resource: 'services', namespace: 'default', name: 'x' } } });
    expect(ip.spec.parentRef).toEqual({ resource: 'services', namespace: 'default', name: 'x' });
    expect(await m.invalid(m.create(ips, { metadata: { name: '10.0.0.01' }, spec: { parentRef: { resource: '', name: '' } } })))
      .toBe('IPAddress.networking.k8s.io "10.0.0.01" is invalid: [metadata.name: Invalid value: "10.0.0.01": must not have leading 0s, spec.parentRef.resource: Required value, spec.parentRef.name: Required value]');
    expect(await m.invalid(m.create(ips, { metadata: { name: 'foo' }, spec: {} })))
      .toBe('IPAddress.networking.k8s.io "foo" is invalid: [metadata.name: Invalid value: "foo": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff), spec.parentRef: Required value]');
    expect(await m.invalid(m.update(ips, { ...ip, spec: { parentRef: { ...ip.spec.parentRef, name: 'y' } } })))
      .toBe('IPAddress.networking.k8s.io "10.100.0.5" is invalid: spec.parentRef: Invalid value: {"Group":"","Resource":"services","Namespace":"default","Name":"y"}: field is immutable');
    // kube declares two columns and fills a third cell with the age; kubectl prints the two.
    expect(m.table(ips, ip)).toMatchObject({ columns: ['Name', 'ParentRef'], cells: ['10.100.0.5', 'services/default/x', expect.any(String)] });
    const gateway = await m.create(ips, { metadata: { name: '10.100.0.6' }, spec: { parentRef: { group: 'gateway.networking.k8s.io', resource: 'gateways', name: 'g', namespace: 'default' } } });
    expect(m.table(ips, gateway).cells[1]).toBe('gateways.gateway.networking.k8s.io/default/g');
  });
});
