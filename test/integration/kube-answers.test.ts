// Answers the differential suite found different from kube-apiserver 1.35's (issue 11), each checked
// with what was (or was not) written: one real etcd, one real API server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';

let cluster: TestCluster;
const N = '/api/v1/namespaces/default/configmaps';
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/default/leases';
const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';
const cm = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' }, ...extra });

async function call(method: string, path: string, body?: unknown, contentType = 'application/json', headers: Record<string, string> = {}) {
  const res = await fetch(cluster.url + path, {
    method, headers: { 'Content-Type': contentType, ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, text, headers: res.headers };
}

const exists = async (path: string) => (await call('GET', path)).status === 200;

beforeAll(async () => {
  cluster = await startCluster(1);
});
afterAll(async () => {
  await cluster?.stop();
});

describe('updates as kube makes them', () => {
  it('a PUT with resourceVersion "0" is unconditional', async () => {
    expect((await call('POST', N, cm('rv-zero'))).status).toBe(201);
    expect((await call('PUT', `${N}/rv-zero`, cm('rv-zero', { data: { a: 'second' } }))).status).toBe(200);
    const r = await call('PUT', `${N}/rv-zero`, cm('rv-zero', { metadata: { name: 'rv-zero', resourceVersion: '0' }, data: { a: 'third' } }));
    expect(r.status).toBe(200);
    expect((await call('GET', `${N}/rv-zero`)).json.data).toEqual({ a: 'third' });
  });

  it('a uid in a PUT body is a precondition: another uid is 409 and nothing is written', async () => {
    const created = await call('POST', N, cm('uid-pre'));
    const r = await call('PUT', `${N}/uid-pre`, cm('uid-pre', { metadata: { name: 'uid-pre', uid: '00000000-0000-0000-0000-000000000001' }, data: { a: 'z' } }));
    expect(r.status).toBe(409);
    expect(r.json.reason).toBe('Conflict');
    expect(r.json.message).toContain(`Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000001, UID in object meta: ${created.json.metadata.uid}`);
    expect((await call('GET', `${N}/uid-pre`)).json.data).toEqual({ a: 'b' });
    const same = await call('PUT', `${N}/uid-pre`, cm('uid-pre', { metadata: { name: 'uid-pre', uid: created.json.metadata.uid }, data: { a: 'y' } }));
    expect(same.status).toBe(200);
  });

  it('a PUT that creates answers 201, the next one 200; an apply that creates answers 201', async () => {
    const lease = (seconds: number) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'put-creates' }, spec: { leaseDurationSeconds: seconds } });
    expect((await call('PUT', `${LEASES}/put-creates`, lease(10))).status).toBe(201);
    expect((await call('PUT', `${LEASES}/put-creates`, lease(20))).status).toBe(200);
    const apply = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: b\n';
    expect((await call('PATCH', `${N}/applied?fieldManager=t`, apply, 'application/apply-patch+yaml')).status).toBe(201);
    expect((await call('PATCH', `${N}/applied?fieldManager=t`, apply, 'application/apply-patch+yaml')).status).toBe(200);
  });

  it('a PUT body without a name is 400 and nothing is written', async () => {
    await call('POST', N, cm('no-name'));
    const r = await call('PUT', `${N}/no-name`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: { z: 'z' } });
    expect(r.status).toBe(400);
    expect(r.json.message).toBe('the name of the object (no-name based on URL) was undeterminable: name must be provided');
    expect((await call('GET', `${N}/no-name`)).json.data).toEqual({ a: 'b' });
  });
});

describe('PartialObjectMetadata', () => {
  const asList = (v: string) => `application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=${v}`;
  const asObject = (v: string) => `application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=${v}`;

  it('lists and gets as metadata only, in v1 and v1beta1; the wrong one of the two is 406', async () => {
    await call('POST', N, cm('partial', { metadata: { name: 'partial', labels: { x: 'y' } } }));
    const list = await call('GET', N, undefined, 'application/json', { Accept: asList('v1') });
    expect(list.status).toBe(200);
    expect(list.json).toMatchObject({ kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1' });
    expect(list.json.metadata.resourceVersion).toMatch(/^\d+$/);
    const item = list.json.items.find((i: { metadata: { name: string } }) => i.metadata.name === 'partial');
    expect(item).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { labels: { x: 'y' } } });
    expect(item.data).toBeUndefined();
    const one = await call('GET', `${N}/partial`, undefined, 'application/json', { Accept: asObject('v1beta1') });
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1beta1', metadata: { name: 'partial' } });
    expect(one.json.data).toBeUndefined();
    expect((await call('GET', N, undefined, 'application/json', { Accept: asObject('v1') })).status).toBe(406);
    expect((await call('GET', `${N}/partial`, undefined, 'application/json', { Accept: asList('v1') })).status).toBe(406);
  });

  it('a watch with as=PartialObjectMetadata carries metadata only', async () => {
    const ctl = new AbortController();
    const res = await fetch(`${cluster.url}${N}?watch=true&fieldSelector=metadata.name%3Dpartial`, { headers: { Accept: asObject('v1') }, signal: ctl.signal });
    try {
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('\n')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString();
      }
      const event = JSON.parse(text.split('\n')[0]);
      expect(event.type).toBe('ADDED');
      expect(event.object).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'partial' } });
      expect(event.object.data).toBeUndefined();
    } finally {
      ctl.abort();
    }
  });
});

describe('bodies decoded as kube decodes them', () => {
  it('a null body (JSON null, YAML ~) is the empty object: 422 for the missing name', async () => {
    for (const [body, type] of [['null', 'application/json'], ['~\n', 'application/yaml']]) {
      const r = await call('POST', N, body, type);
      expect(r.status).toBe(422);
      expect(r.json.message).toBe('ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required');
    }
  });

  it('[]byte must be base64 and metav1.Time RFC 3339: 400 with Go\'s error, nothing written', async () => {
    const b64 = await call('POST', N, cm('bad-b64', { binaryData: { b: '!!!not base64' } }));
    expect(b64.status).toBe(400);
    expect(b64.json.message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: illegal base64 data at input byte 0');
    expect(await exists(`${N}/bad-b64`)).toBe(false);
    const secret = await call('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bad-b64' }, data: { k: 'YWJj' + 'x' } });
    expect(secret.status).toBe(400);
    expect(secret.json.message).toContain('illegal base64 data at input byte 4');
    const time = await call('POST', N, cm('bad-time', { metadata: { name: 'bad-time', creationTimestamp: 'yesterday' } }));
    expect(time.status).toBe(400);
    expect(time.json.message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"');
    expect(await exists(`${N}/bad-time`)).toBe(false);
    expect((await call('POST', N, cm('good-bytes', { metadata: { name: 'good-bytes', creationTimestamp: '2020-01-02T03:04:05.123Z' }, binaryData: { b: 'eA==' } }))).status).toBe(201);
  });

  it('an integer field given 1e2 or 1.0 is refused as encoding/json refuses it', async () => {
    const dep = (name: string, replicas: string) => `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"${name}"},"spec":{"replicas":${replicas},`
      + `"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}`;
    for (const [name, literal] of [['rep-exp', '1e2'], ['rep-one-point-zero', '1.0']]) {
      const r = await call('POST', DEPLOYMENTS, dep(name, literal));
      expect(r.status).toBe(400);
      expect(r.json.message).toBe(`Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number ${literal} into Go struct field DeploymentSpec.spec.replicas of type int32`);
      expect(await exists(`${DEPLOYMENTS}/${name}`)).toBe(false);
    }
    expect((await call('POST', DEPLOYMENTS, dep('rep-two', '2'))).status).toBe(201);
  });

  it('a YAML key that is a collection is 400', async () => {
    const r = await call('POST', N, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yaml-key\ndata:\n  ? [a, b]\n  : c\n', 'application/yaml');
    expect(r.status).toBe(400);
    expect(r.json.message).toContain('yaml: invalid map key: []interface {}{"a", "b"}');
  });

  it('generateName is validated as a name prefix', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { generateName: 'gen.' } });
    expect(r.status).toBe(422);
    expect(r.json.message).toMatch(/^Secret "gen\.[a-z0-9]{5}" is invalid: metadata\.generateName: Invalid value: "gen\.": a lowercase RFC 1123 subdomain/);
    expect((await call('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { generateName: 'gen-' } })).status).toBe(201);
  });

  it('a Content-Type without a media type is 415', async () => {
    const r = await call('POST', N, cm('ct-garbage'), ';;;');
    expect(r.status).toBe(415);
    expect(await exists(`${N}/ct-garbage`)).toBe(false);
  });
});

describe('patches as kube applies them', () => {
  it('a JSON or merge patch whose result does not decode is 422 naming the patch', async () => {
    await call('POST', N, cm('p-kind'));
    const kind = await call('PATCH', `${N}/p-kind`, '{"kind":"Secret"}', 'application/merge-patch+json');
    expect(kind.status).toBe(422);
    expect(kind.json.details.causes[0]).toMatchObject({ reason: 'FieldValueInvalid', field: 'patch' });
    const typed = await call('PATCH', `${N}/p-kind`, '[{"op":"add","path":"/data/n","value":5}]', 'application/json-patch+json');
    expect(typed.status).toBe(422);
    expect(typed.json.message).toContain('patch: Invalid value: "{');
    expect(typed.json.message).toContain('json: cannot unmarshal number into Go struct field ConfigMap.data of type string');
    expect((await call('GET', `${N}/p-kind`)).json).toMatchObject({ kind: 'ConfigMap', data: { a: 'b' } });
  });

  it('a strategic merge patch whose result does not decode is 422 showing the patch map', async () => {
    await call('POST', N, cm('p-smp'));
    const r = await call('PATCH', `${N}/p-smp`, '{"metadata":{"finalizers":"x"}}', 'application/strategic-merge-patch+json');
    expect(r.status).toBe(422);
    expect(r.json.message).toMatch(/^ "" is invalid: patch: Invalid value: "map\[metadata:map\[finalizers:x\]\]": /);
    expect((await call('GET', `${N}/p-smp`)).json.metadata.finalizers).toBeUndefined();
  });

  it('JSON patch pointers and copy as kube\'s json-patch: text before the first slash is dropped, a missing member copies null', async () => {
    await call('POST', N, cm('p-pointer'));
    const r = await call('PATCH', `${N}/p-pointer`, '[{"op":"add","path":"data/a","value":"x"}]', 'application/json-patch+json');
    expect(r.status).toBe(200);
    expect(r.headers.get('warning')).toContain('unknown field \\"a\\"');
    expect(r.json.data).toEqual({ a: 'b' });
    const copy = await call('PATCH', `${N}/p-pointer`, '[{"op":"copy","from":"/data/__proto__","path":"/data/z"}]', 'application/json-patch+json');
    expect(copy.status).toBe(200);
    expect(Object.keys(copy.json.data)).toContain('z');
    const missingParent = await call('PATCH', `${N}/p-pointer`, '[{"op":"copy","from":"/nope/x","path":"/data/y"}]', 'application/json-patch+json');
    expect(missingParent.status).toBe(422);
  });

  it('an unknown $patch directive in a strategic merge patch is refused with kube\'s message (400: kube\'s 500 is an intended difference), nothing written', async () => {
    await call('POST', N, cm('p-directive'));
    const r = await call('PATCH', `${N}/p-directive`, '{"data":{"$patch":"bogus"}}', 'application/strategic-merge-patch+json');
    expect(r.status).toBe(400);
    expect(r.json.reason).toBe('BadRequest');
    expect(r.json.message).toBe('unknown patch type: bogus in map: map[$patch:bogus]');
    expect((await call('GET', `${N}/p-directive`)).json.data).toEqual({ a: 'b' });
  });
});

describe('options refused as kube refuses them', () => {
  it('write options: 422 naming the field', async () => {
    for (const v of ['bogus', 'strict']) {
      const r = await call('POST', `${N}?fieldValidation=${v}`, cm(`fv-${v}`));
      expect(r.status).toBe(422);
      expect(r.json.message).toBe(`CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "${v}": supported values: "", "Ignore", "Strict", "Warn"`);
    }
    await call('POST', N, cm('apply-no-manager'));
    const apply = await call('PATCH', `${N}/apply-no-manager`, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: apply-no-manager\n', 'application/apply-patch+yaml');
    expect(apply.status).toBe(422);
    expect(apply.json.message).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  });

  it('list options: continue with resourceVersion 400, with resourceVersionMatch 422', async () => {
    const page = await call('GET', `${N}?limit=1`);
    const token = encodeURIComponent(page.json.metadata.continue);
    const rv = await call('GET', `${N}?continue=${token}&resourceVersion=5`);
    expect(rv.status).toBe(400);
    expect(rv.json.message).toBe('specifying resource version is not allowed when using continue');
    expect((await call('GET', `${N}?continue=${token}&resourceVersion=0`)).status).toBe(200);
    const match = await call('GET', `${N}?resourceVersionMatch=NotOlderThan&resourceVersion=1&continue=${token}`);
    expect(match.status).toBe(422);
    expect(match.json.message).toBe('ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided');
  });

  it('a delete body of another kind is 400 and nothing is deleted', async () => {
    await call('POST', N, cm('del-kind'));
    const r = await call('DELETE', `${N}/del-kind`, '{"kind":"ConfigMap","apiVersion":"v1"}');
    expect(r.status).toBe(400);
    expect(r.json.message).toBe('no kind "ConfigMap" is registered for version "v1" in scheme "pkg/runtime/scheme.go:111"');
    expect(await exists(`${N}/del-kind`)).toBe(true);
    expect((await call('DELETE', `${N}/del-kind`, '{"kind":"DeleteOptions","apiVersion":"v1"}')).status).toBe(200);
  });
});
