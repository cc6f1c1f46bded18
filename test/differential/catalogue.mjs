// The differential catalogue: hostile and malformed requests, each answered by kube-apiserver
// (recorded in kube-answers.json by scripts/record-differential.mjs) and replayed against ours.
//
// A case: { id, group, setup?: [request], request, probe?, pick?, checks?, parallel?, messageExact?,
// compareWarning? }. A request: { method, path, headers?, body? (object -> JSON, string/Buffer raw),
// splitAt?, noContentLength?, noContentType?, noAccept?, streamMs?, timeoutMs?, untilStatus? (setup only: sent
// again until it answers that code, for what takes effect through a watch) }; path, body and
// headers may be functions of ctx ({ vars }: each setup answer's resourceVersion as rv<i>, its uid
// as rv<i>_uid, the last list's continue token). probe: a path read before and after the request;
// "written" is whether that read changed (default: the object the case creates or targets; null:
// none). pick: JSON pointers read from the probe afterwards. checks: requests whose codes are
// recorded after the request (e.g. does a later write still work). Ids double as object names:
// lowercase, digits and dashes, at most 63 characters.

export const NS = 'diff';
const API = `/api/v1/namespaces/${NS}`;
const CM = `${API}/configmaps`;
const SEC = `${API}/secrets`;
const DEP = `/apis/apps/v1/namespaces/${NS}/deployments`;
const LEASE = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`;

const cm = (name, extra = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' }, ...extra });
const depJson = (name, replicas) =>
  `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"${name}"},"spec":{"replicas":${replicas},` +
  `"selector":{"matchLabels":{"app":"${name}"}},"template":{"metadata":{"labels":{"app":"${name}"}},` +
  `"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}`;
const leaseJson = (name, seconds) =>
  `{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"${name}"},"spec":{"leaseDurationSeconds":${seconds}}}`;
const nested = (depth, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);
const nestedObj = (depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const b64 = (o) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64url');

const MERGE = { 'Content-Type': 'application/merge-patch+json' };
const SMP = { 'Content-Type': 'application/strategic-merge-patch+json' };
const JSONPATCH = { 'Content-Type': 'application/json-patch+json' };
const YAML = { 'Content-Type': 'application/yaml' };

const cases = [];
const add = (group, c) => cases.push({ group, ...c });

/** POST a ConfigMap (or raw body) named after the case; the probe reads that name back. */
const create = (group, id, body, extra = {}) =>
  add(group, { id, request: { method: 'POST', path: extra.path ?? CM, body: typeof body === 'function' ? body(id) : body, headers: extra.headers }, probe: `${extra.path ?? CM}/${extra.name ?? id}`, ...extra.more });
/** A ConfigMap named after the case exists first; the request targets it (probe: that object). */
const onCm = (group, id, request, more = {}) =>
  add(group, { id, setup: [{ method: 'POST', path: CM, body: cm(id, more.cmExtra ?? {}) }, ...(more.setup ?? [])], request: { ...request, path: `${CM}/${id}${request.path ?? ''}` }, probe: `${CM}/${id}`, ...more.extra });

// ---------------------------------------------------------------- bodies
create('bodies', 'body-json-truncated', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"body-json-truncated"');
create('bodies', 'body-json-trailing-garbage', (id) => JSON.stringify(cm(id)) + ' x');
create('bodies', 'body-json-two-objects', (id) => JSON.stringify(cm(id)) + JSON.stringify(cm(id)));
create('bodies', 'body-json-single-quotes', "{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'body-json-single-quotes'}}");
create('bodies', 'body-json-trailing-comma', (id) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${id}",}}`);
create('bodies', 'body-json-comment', (id) => `{"apiVersion":"v1","kind":"ConfigMap", /* c */ "metadata":{"name":"${id}"}}`);
create('bodies', 'body-json-nan', (id) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${id}","generation":NaN}}`);
create('bodies', 'body-json-bom', (id) => '\ufeff' + JSON.stringify(cm(id)));
create('bodies', 'body-json-invalid-utf8', (id) => Buffer.concat([Buffer.from(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${id}"},"data":{"a":"`), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]));
create('bodies', 'body-json-lone-surrogate', (id) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${id}"},"data":{"a":"\\ud800"}}`);
create('bodies', 'body-empty', '');
create('bodies', 'body-whitespace', '   \n  ');
create('bodies', 'body-null', 'null');
create('bodies', 'body-array', '[]');
create('bodies', 'body-array-of-object', (id) => JSON.stringify([cm(id)]));
create('bodies', 'body-string', '"configmap"');
create('bodies', 'body-number', '42');
create('bodies', 'body-true', 'true');
create('bodies', 'body-empty-object', '{}', { more: { probe: CM } });
create('bodies', 'body-wrong-kind', (id) => ({ ...cm(id), kind: 'Secret' }));
create('bodies', 'body-wrong-apiversion', (id) => ({ ...cm(id), apiVersion: 'apps/v1' }));
create('bodies', 'body-unknown-apiversion', (id) => ({ ...cm(id), apiVersion: 'v2' }));
create('bodies', 'body-kind-lowercase', (id) => ({ ...cm(id), kind: 'configmap' }));
create('bodies', 'body-no-kind-no-apiversion', (id) => ({ metadata: { name: id }, data: { a: 'b' } }));
create('bodies', 'body-no-apiversion', (id) => ({ kind: 'ConfigMap', metadata: { name: id } }));
create('bodies', 'body-no-kind', (id) => ({ apiVersion: 'v1', metadata: { name: id } }));
create('bodies', 'body-kind-number', (id) => ({ ...cm(id), kind: 5 }));
create('bodies', 'body-metadata-string', (id) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":"${id}"}`, { more: { probe: CM } });
create('bodies', 'body-metadata-null', '{"apiVersion":"v1","kind":"ConfigMap","metadata":null}', { more: { probe: CM } });
create('bodies', 'body-data-value-number', (id) => ({ ...cm(id), data: { a: 1 } }));
create('bodies', 'body-data-value-null', (id) => ({ ...cm(id), data: { a: null } }));
create('bodies', 'body-data-array', (id) => ({ ...cm(id), data: ['a'] }));
create('bodies', 'body-data-string', (id) => ({ ...cm(id), data: 'a' }));
create('bodies', 'body-labels-value-number', (id) => ({ ...cm(id), metadata: { name: id, labels: { a: 1 } } }));
create('bodies', 'body-name-number', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":12345}}', { name: '12345' });
create('bodies', 'body-immutable-string', (id) => ({ ...cm(id), immutable: 'true' }));
create('bodies', 'body-binarydata-bad-base64', (id) => ({ ...cm(id), binaryData: { b: '!!!not base64' } }));
create('bodies', 'body-data-and-binarydata-same-key', (id) => ({ ...cm(id), binaryData: { a: 'Yg==' } }));
create('bodies', 'body-data-key-slash', (id) => ({ ...cm(id), data: { 'a/b': 'c' } }));
create('bodies', 'body-data-key-empty', (id) => ({ ...cm(id), data: { '': 'c' } }));
create('bodies', 'body-data-key-dotdot', (id) => ({ ...cm(id), data: { '..': 'c' } }));
create('bodies', 'body-data-over-1mib', (id) => ({ ...cm(id), data: { a: 'x'.repeat(1048577) } }));
create('bodies', 'body-over-3mib', (id) => ({ ...cm(id), data: { a: 'x'.repeat(3 * 1048576 + 10) } }));
create('bodies', 'body-label-value-too-long', (id) => ({ ...cm(id), metadata: { name: id, labels: { a: 'x'.repeat(64) } } }));
create('bodies', 'body-annotations-over-256k', (id) => ({ ...cm(id), metadata: { name: id, annotations: { a: 'x'.repeat(262145) } } }));
create('bodies', 'body-finalizer-invalid', (id) => ({ ...cm(id), metadata: { name: id, finalizers: ['Not A Finalizer!'] } }));
create('bodies', 'body-ownerref-missing-uid', (id) => ({ ...cm(id), metadata: { name: id, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x' }] } }));
create('bodies', 'body-resourceversion-on-create', (id) => ({ ...cm(id), metadata: { name: id, resourceVersion: '5' } }));
create('bodies', 'body-creationtimestamp-garbage', (id) => ({ ...cm(id), metadata: { name: id, creationTimestamp: 'yesterday' } }));
create('bodies', 'body-uid-on-create', (id) => ({ ...cm(id), metadata: { name: id, uid: 'not-a-uid' } }), { more: { pick: [['/metadata/uid', 'not-a-uid']] } });
create('bodies', 'body-namespace-mismatch', (id) => ({ ...cm(id), metadata: { name: id, namespace: 'diff-other' } }));
create('bodies', 'body-generation-huge', (id) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${id}","generation":99999999999999999999}}`);
// fieldValidation with duplicate keys and unknown fields
for (const fv of ['Strict', 'Warn', 'Ignore']) {
  const l = fv.toLowerCase();
  add('bodies', { id: `body-dup-name-${l}`, request: { method: 'POST', path: `${CM}?fieldValidation=${fv}`, body: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x-body-dup-name-${l}","name":"body-dup-name-${l}"}}` }, probe: `${CM}/body-dup-name-${l}`, compareWarning: true });
  add('bodies', { id: `body-dup-data-${l}`, request: { method: 'POST', path: `${CM}?fieldValidation=${fv}`, body: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"body-dup-data-${l}"},"data":{"a":"1","a":"2"}}` }, probe: `${CM}/body-dup-data-${l}`, pick: ['/data/a'], compareWarning: true });
  add('bodies', { id: `body-unknown-top-${l}`, request: { method: 'POST', path: `${CM}?fieldValidation=${fv}`, body: { ...cm(`body-unknown-top-${l}`), spec: { x: 1 } } }, probe: `${CM}/body-unknown-top-${l}`, pick: ['/spec'], compareWarning: true });
  add('bodies', { id: `body-unknown-meta-${l}`, request: { method: 'POST', path: `${CM}?fieldValidation=${fv}`, body: { ...cm(`body-unknown-meta-${l}`), metadata: { name: `body-unknown-meta-${l}`, colour: 'red' } } }, probe: `${CM}/body-unknown-meta-${l}`, compareWarning: true });
}
// strict errors in document order: the unknown field stands before the duplicate (kube's FieldValidation conformance spec)
add('bodies', { id: 'body-unknown-then-duplicate-strict', request: { method: 'POST', path: `${DEP}?fieldValidation=Strict`, body: depJson('body-unknown-then-duplicate-strict', 1).replace('"spec":{"replicas":1,', '"spec":{"unknownField":"foo","replicas":2,"replicas":1,') }, probe: `${DEP}/body-unknown-then-duplicate-strict` });
// apply converts the configuration to its type first: an unknown field is a 500 whatever fieldValidation says
for (const v of ['Ignore', 'Strict']) {
  const id = `body-apply-unknown-field-${v.toLowerCase()}`;
  add('bodies', { id, request: { method: 'PATCH', path: `${CM}/${id}?fieldManager=m&fieldValidation=${v}`, headers: { 'Content-Type': 'application/apply-patch+yaml' }, body: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${id}\nunknownTop: y\ndata:\n  a: b\n` }, probe: `${CM}/${id}` });
}
add('bodies', { id: 'body-unknown-nested-deployment-strict', request: { method: 'POST', path: `${DEP}?fieldValidation=Strict`, body: depJson('body-unknown-nested-deployment-strict', 1).replace('"image":"busybox"', '"image":"busybox","imagee":"x"') }, probe: `${DEP}/body-unknown-nested-deployment-strict` });
// deep nesting
create('bodies', 'body-nested-array-3000', (id) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${id}"},"extra":${nested(3000)}}`);
create('bodies', 'body-nested-object-3000', (id) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${id}"},"extra":${nestedObj(3000)}}`);
create('bodies', 'body-nested-array-20000', (id) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${id}"},"extra":${nested(20000)}}`);
create('bodies', 'body-nested-in-annotations-3000', (id) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${id}","annotations":${nestedObj(3000)}}}`);
onCm('bodies', 'body-nested-merge-patch-3000', { method: 'PATCH', headers: MERGE, body: `{"extra":${nestedObj(3000)}}` });
onCm('bodies', 'body-nested-smp-3000', { method: 'PATCH', headers: SMP, body: `{"extra":${nestedObj(3000)}}` });
onCm('bodies', 'body-nested-json-patch-3000', { method: 'PATCH', headers: JSONPATCH, body: `[{"op":"add","path":"/data/x","value":${nested(3000)}}]` });
onCm('bodies', 'body-nested-update-3000', { method: 'PUT', body: (ctx) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"body-nested-update-3000"},"extra":${nestedObj(3000)}}` });
// numbers
for (const [id, n] of [['num-replicas-1e309', '1e309'], ['num-replicas-2p63', '9223372036854775808'], ['num-replicas-2p31', '2147483648'],
  ['num-replicas-negative', '-1'], ['num-replicas-fraction', '1.5'], ['num-replicas-exponent', '1e2'], ['num-replicas-string', '"3"'],
  ['num-replicas-2p31-minus-1', '2147483647'], ['num-replicas-neg-2p63', '-9223372036854775809'], ['num-replicas-1-0', '1.0'], ['num-replicas-null', 'null']]) {
  add('bodies', { id, request: { method: 'POST', path: DEP, body: depJson(id, n) }, probe: `${DEP}/${id}`, pick: ['/spec/replicas'] });
}
// int64 beyond 2^53 in a typed int64 field (a Job's activeDeadlineSeconds): kube keeps the digits
const JOB = `/apis/batch/v1/namespaces/${NS}/jobs`;
for (const [id, n] of [['num-job-deadline-2p53-plus-1', '9007199254740993'], ['num-job-deadline-int64-max', '9223372036854775807']]) {
  const body = `{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"${id}"},"spec":{"activeDeadlineSeconds":${n},` +
    `"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}`;
  add('bodies', { id, request: { method: 'POST', path: JOB, body }, probe: `${JOB}/${id}`, pick: ['/spec/activeDeadlineSeconds'] });
}
add('bodies', { id: 'num-lease-duration-2p31', request: { method: 'POST', path: LEASE, body: leaseJson('num-lease-duration-2p31', '2147483648') }, probe: `${LEASE}/num-lease-duration-2p31` });
add('bodies', { id: 'num-lease-duration-2p63', request: { method: 'POST', path: LEASE, body: leaseJson('num-lease-duration-2p63', '9223372036854775808') }, probe: `${LEASE}/num-lease-duration-2p63` });
add('bodies', { id: 'num-lease-duration-1e309', request: { method: 'POST', path: LEASE, body: leaseJson('num-lease-duration-1e309', '1e309') }, probe: `${LEASE}/num-lease-duration-1e309` });
add('bodies', { id: 'num-lease-duration-ok', request: { method: 'POST', path: LEASE, body: leaseJson('num-lease-duration-ok', '30') }, probe: `${LEASE}/num-lease-duration-ok`, pick: ['/spec/leaseDurationSeconds'] });
add('bodies', { id: 'num-grace-in-body-2p63', setup: [{ method: 'POST', path: CM, body: cm('num-grace-in-body-2p63') }], request: { method: 'DELETE', path: `${CM}/num-grace-in-body-2p63`, body: '{"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":9223372036854775808}' }, probe: `${CM}/num-grace-in-body-2p63` });
// YAML
create('bodies', 'yaml-valid', (id) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${id}\ndata:\n  a: b\n`, { headers: YAML });
create('bodies', 'yaml-malformed', (id) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${id}\n data: [\n`, { headers: YAML });
create('bodies', 'yaml-tab-indent', (id) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: ${id}\n`, { headers: YAML });
create('bodies', 'yaml-multi-document', (id) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${id}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${id}-second\n`, { headers: YAML });
create('bodies', 'yaml-150-aliases', (id) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${id}\n  labels:\n    a: &v x\ndata:\n${Array.from({ length: 150 }, (_, i) => `  k${i}: *v`).join('\n')}\n`, { headers: YAML, more: { pick: ['/data/k149'] } });
create('bodies', 'yaml-billion-laughs', (id) => {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill('*' + String.fromCharCode(96 + i)).join(',')}]`);
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${id}\nextra:\n${lines.map((l) => '  ' + l).join('\n')}\n`;
}, { headers: YAML });
create('bodies', 'yaml-binary-tag', (id) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${id}\nbinaryData:\n  b: !!binary aGVsbG8=\n`, { headers: YAML });
create('bodies', 'yaml-custom-tag', (id) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${id}\ndata:\n  a: !foo bar\n`, { headers: YAML });
create('bodies', 'yaml-duplicate-key-strict', (id) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${id}\ndata:\n  a: "1"\n  a: "2"\n`, { headers: YAML, path: `${CM}?fieldValidation=Strict`, more: { probe: `${CM}/yaml-duplicate-key-strict` } });
create('bodies', 'yaml-duplicate-key-ignore', (id) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${id}\ndata:\n  a: "1"\n  a: "2"\n`, { headers: YAML, path: `${CM}?fieldValidation=Ignore`, more: { probe: `${CM}/yaml-duplicate-key-ignore` } });
create('bodies', 'yaml-int-data-value', (id) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${id}\ndata:\n  a: 1\n`, { headers: YAML });
create('bodies', 'yaml-complex-key', (id) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${id}\ndata:\n  ? [a, b]\n  : c\n`, { headers: YAML });
create('bodies', 'yaml-null-document', '~\n', { headers: YAML, more: { probe: CM } });

// ---------------------------------------------------------------- names
for (const [id, name, path] of [
  ['name-underscore', 'a_b'], ['name-uppercase', 'ABC'], ['name-254-chars', 'a'.repeat(254)], ['name-253-chars', 'a'.repeat(253)],
  ['name-dots', 'a.b.c'], ['name-leading-dot', '.a'], ['name-trailing-dash', 'a-'], ['name-dot', '.'], ['name-dotdot', '..'],
  ['name-slash', 'a/b'], ['name-percent', 'a%b'], ['name-space', 'a b'], ['name-unicode', 'ünï'], ['name-colon', 'a:b'],
  ['name-leading-digit', '1abc'], ['name-empty', ''],
]) {
  const enc = encodeURIComponent(name);
  add('names', { id, request: { method: 'POST', path: CM, body: cm(name) }, probe: name && !name.includes('/') && name !== '.' && name !== '..' ? `${CM}/${enc}` : CM });
}
add('names', { id: 'name-ns-dots', request: { method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } } }, probe: '/api/v1/namespaces/a.b' });
add('names', { id: 'name-ns-64-chars', request: { method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n'.repeat(64) } } }, probe: `/api/v1/namespaces/${'n'.repeat(64)}` });
add('names', { id: 'name-ns-63-chars', request: { method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'm'.repeat(63) } } }, probe: `/api/v1/namespaces/${'m'.repeat(63)}` });
add('names', { id: 'name-deployment-dots', request: { method: 'POST', path: DEP, body: depJson('dep.with.dots', 1) }, probe: `${DEP}/dep.with.dots` });
add('names', { id: 'name-service-dots', request: { method: 'POST', path: `${API}/services`, body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc.dots' }, spec: { ports: [{ port: 80 }] } } }, probe: `${API}/services/svc.dots` });
add('names', { id: 'name-generate-only', request: { method: 'POST', path: `${API}/secrets`, body: { apiVersion: 'v1', kind: 'Secret', metadata: { generateName: 'gen-' } } }, probe: SEC });
add('names', { id: 'name-generate-invalid', request: { method: 'POST', path: SEC, body: { apiVersion: 'v1', kind: 'Secret', metadata: { generateName: 'Gen_' } } }, probe: SEC });
add('names', { id: 'name-generate-300-chars', request: { method: 'POST', path: SEC, body: { apiVersion: 'v1', kind: 'Secret', metadata: { generateName: 'g'.repeat(300) } } }, probe: SEC });
add('names', { id: 'name-generate-ending-dot', request: { method: 'POST', path: SEC, body: { apiVersion: 'v1', kind: 'Secret', metadata: { generateName: 'gen.' } } }, probe: SEC });
add('names', { id: 'name-generate-and-name', request: { method: 'POST', path: CM, body: { ...cm('name-generate-and-name'), metadata: { name: 'name-generate-and-name', generateName: 'zzz-' } } }, probe: `${CM}/name-generate-and-name` });
add('names', { id: 'name-generate-empty', request: { method: 'POST', path: CM, body: { ...cm(''), metadata: { generateName: '' } } }, probe: CM });
add('names', { id: 'name-generate-number', request: { method: 'POST', path: CM, body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":5}}' }, probe: CM });
add('names', { id: 'name-get-uppercase', request: { method: 'GET', path: `${CM}/UPPER` }, probe: null });
add('names', { id: 'name-get-too-long', request: { method: 'GET', path: `${CM}/${'a'.repeat(300)}` }, probe: null });
add('names', { id: 'name-put-mismatch', setup: [{ method: 'POST', path: CM, body: cm('name-put-mismatch') }], request: { method: 'PUT', path: `${CM}/name-put-mismatch`, body: cm('other-name') }, probe: `${CM}/name-put-mismatch` });
add('names', { id: 'name-put-missing-name', setup: [{ method: 'POST', path: CM, body: cm('name-put-missing-name') }], request: { method: 'PUT', path: `${CM}/name-put-missing-name`, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: { z: 'z' } } }, probe: `${CM}/name-put-missing-name` });
add('names', { id: 'name-create-twice', setup: [{ method: 'POST', path: CM, body: cm('name-create-twice') }], request: { method: 'POST', path: CM, body: cm('name-create-twice') }, probe: `${CM}/name-create-twice` });

// ---------------------------------------------------------------- paths
const getPath = (id, path, more = {}) => add('paths', { id, request: { method: 'GET', path, ...more.request }, probe: null, ...more.extra });
getPath('path-unknown-core-version', '/api/v2/namespaces');
getPath('path-unknown-group', '/apis/nogroup.example.com/v1/foos');
getPath('path-unknown-group-version', '/apis/apps/v9/deployments');
getPath('path-unknown-resource', '/api/v1/foos');
getPath('path-unknown-namespaced-resource', `${API}/foos`);
getPath('path-cluster-resource-in-namespace', `${API}/namespaces`);
getPath('path-cluster-resource-in-namespace-named', `${API}/nodes/x`);
getPath('path-all-namespaces-list', '/api/v1/configmaps');
getPath('path-all-namespaces-apps-list', '/apis/apps/v1/deployments');
getPath('path-all-namespaces-named', '/api/v1/configmaps/x');
add('paths', { id: 'path-post-all-namespaces', request: { method: 'POST', path: '/api/v1/configmaps', body: cm('path-post-all-namespaces') }, probe: `${CM}/path-post-all-namespaces` });
getPath('path-trailing-slash-collection', `${CM}/`);
onCm('paths', 'path-trailing-slash-object', { method: 'GET', path: '/' });
onCm('paths', 'path-encoded-slash-name', { method: 'GET', path: '%2Fx' });
getPath('path-double-slash', `//api/v1/namespaces/${NS}/configmaps`);
getPath('path-dotdot', `${CM}/../secrets`);
getPath('path-encoded-dotdot', `${CM}/%2e%2e/secrets`);
getPath('path-nul', `${CM}/x%00y`);
getPath('path-very-long', `${CM}/${'a'.repeat(10000)}`);
onCm('paths', 'path-status-on-configmap', { method: 'GET', path: '/status' });
onCm('paths', 'path-unknown-subresource', { method: 'GET', path: '/bogus' });
onCm('paths', 'path-too-deep', { method: 'GET', path: '/status/extra' });
add('paths', { id: 'path-scale-existing', setup: [{ method: 'POST', path: DEP, body: depJson('path-scale-existing', 2) }], request: { method: 'GET', path: `${DEP}/path-scale-existing/scale` }, probe: null });
getPath('path-scale-missing', `${DEP}/nope/scale`);
add('paths', { id: 'path-scale-put-bad-replicas', setup: [{ method: 'POST', path: DEP, body: depJson('path-scale-put-bad-replicas', 2) }], request: { method: 'PUT', path: `${DEP}/path-scale-put-bad-replicas/scale`, body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'path-scale-put-bad-replicas' }, spec: { replicas: -3 } } }, probe: `${DEP}/path-scale-put-bad-replicas` });
add('paths', { id: 'path-status-put-wrong-name', setup: [{ method: 'POST', path: DEP, body: depJson('path-status-put-wrong-name', 1) }], request: { method: 'PUT', path: `${DEP}/path-status-put-wrong-name/status`, body: depJson('other', 1) }, probe: `${DEP}/path-status-put-wrong-name` });
getPath('path-list-missing-namespace', '/api/v1/namespaces/no-such-ns/configmaps');
getPath('path-get-missing-namespace', '/api/v1/namespaces/no-such-ns/configmaps/x');
add('paths', { id: 'path-create-missing-namespace', request: { method: 'POST', path: '/api/v1/namespaces/no-such-ns/configmaps', body: cm('x') }, probe: null });
getPath('path-namespace-invalid-name', '/api/v1/namespaces/Bad_NS/configmaps');
for (const p of ['/api', '/apis', '/api/v1', '/apis/apps', '/apis/apps/v1', '/version', '/healthz', '/readyz', '/livez', '/openapi/v2', '/openapi/v3']) {
  getPath(`path-root${p.replace(/\//g, '-')}`, p);
}
getPath('path-healthz-unknown-check', '/healthz/no-such-check');
getPath('path-openapi-v3-unknown', '/openapi/v3/apis/nogroup/v1');
getPath('path-root', '/');
getPath('path-apis-trailing-slash', '/apis/');

// ---------------------------------------------------------------- query parameters
const listQ = (id, q, more = {}) => add('query', { id, request: { method: 'GET', path: `${CM}?${q}`, ...more.request }, probe: null, ...more.extra });
listQ('q-limit-abc', 'limit=abc');
listQ('q-limit-negative', 'limit=-1');
listQ('q-limit-exponent', 'limit=1e3');
listQ('q-limit-huge', 'limit=99999999999999999999');
listQ('q-limit-zero', 'limit=0');
listQ('q-limit-twice', 'limit=1&limit=abc');
listQ('q-timeoutseconds-abc', 'timeoutSeconds=abc');
listQ('q-timeoutseconds-negative', 'timeoutSeconds=-1');
listQ('q-watch-abc', 'watch=abc');
listQ('q-watch-timeout-abc', 'watch=true&timeoutSeconds=abc');
listQ('q-watch-timeout-1e12', 'watch=true&timeoutSeconds=1e12', { request: { streamMs: 1500 } });
listQ('q-watch-timeout-huge-int', 'watch=true&timeoutSeconds=99999999999', { request: { streamMs: 1500 } });
listQ('q-watch-rv-abc', 'watch=true&resourceVersion=abc');
listQ('q-watch-bookmarks-abc', 'watch=true&allowWatchBookmarks=abc', { request: { streamMs: 1500 } });
listQ('q-send-initial-events-no-match', 'watch=true&sendInitialEvents=true');
listQ('q-send-initial-events-on-list', 'sendInitialEvents=true&resourceVersionMatch=NotOlderThan');
listQ('q-rv-abc', 'resourceVersion=abc');
listQ('q-rv-negative', 'resourceVersion=-5');
listQ('q-rv-match-bogus', 'resourceVersion=0&resourceVersionMatch=Bogus');
listQ('q-rv-match-exact-no-rv', 'resourceVersionMatch=Exact');
listQ('q-rv-match-notolder-zero', 'resourceVersion=0&resourceVersionMatch=NotOlderThan');
listQ('q-rv-match-exact-zero', 'resourceVersion=0&resourceVersionMatch=Exact');
listQ('q-rv-future-notolder', 'resourceVersion=99999999&resourceVersionMatch=NotOlderThan', { request: { timeoutMs: 30000 } });
listQ('q-rv-match-with-continue', 'resourceVersionMatch=NotOlderThan&resourceVersion=1&continue=abc');
onCm('query', 'q-get-rv-abc', { method: 'GET', path: '?resourceVersion=abc' }, { extra: { probe: null } });
// At the object's own resourceVersion: with resourceVersion=1 a cache that has not applied the create yet may answer
// 404 as rightly as one that has answers 200 (not older than 1), and a busy machine made that a coin toss.
add('query', { id: 'q-get-rv-match', setup: [{ method: 'POST', path: CM, body: cm('q-get-rv-match') }],
  request: { method: 'GET', path: (ctx) => `${CM}/q-get-rv-match?resourceVersion=${ctx.vars.rv0}&resourceVersionMatch=Exact` }, probe: null });
listQ('q-continue-garbage', 'continue=%%%garbage');
listQ('q-continue-base64-not-json', `continue=${b64('not json')}`);
listQ('q-continue-rv-1e300', `continue=${b64('{"v":"meta.k8s.io/v1","rv":1e300,"start":"a"}')}`);
listQ('q-continue-rv-negative', `continue=${b64('{"v":"meta.k8s.io/v1","rv":-1,"start":"a"}')}`);
listQ('q-continue-rv-zero', `continue=${b64('{"v":"meta.k8s.io/v1","rv":0,"start":"a"}')}`);
listQ('q-continue-wrong-version', `continue=${b64('{"v":"meta.k8s.io/v0","rv":2,"start":"a"}')}`);
listQ('q-continue-start-traversal', `continue=${b64('{"v":"meta.k8s.io/v1","rv":2,"start":"../../secrets/"}')}`);
listQ('q-continue-start-absolute', `continue=${b64('{"v":"meta.k8s.io/v1","rv":2,"start":"/registry/secrets/"}')}`);
listQ('q-continue-with-rv', `continue=${b64('{"v":"meta.k8s.io/v1","rv":2,"start":"a"}')}&resourceVersion=5`);
add('query', { id: 'q-continue-real-then-other-namespace', setup: [{ method: 'POST', path: CM, body: cm('q-cont-1') }, { method: 'POST', path: CM, body: cm('q-cont-2') }, { method: 'GET', path: `${CM}?limit=1` }], request: { method: 'GET', path: (ctx) => `/api/v1/namespaces/diff-other/configmaps?limit=1&continue=${encodeURIComponent(ctx.vars.continue)}` }, probe: null });
add('query', { id: 'q-continue-real-other-selector', setup: [{ method: 'POST', path: CM, body: cm('q-cont-3') }, { method: 'POST', path: CM, body: cm('q-cont-4') }, { method: 'GET', path: `${CM}?limit=1` }], request: { method: 'GET', path: (ctx) => `${CM}?limit=1&labelSelector=a%3Db&continue=${encodeURIComponent(ctx.vars.continue)}` }, probe: null });
listQ('q-labelselector-malformed', 'labelSelector=a%3D(');
listQ('q-labelselector-unclosed-in', 'labelSelector=a%20in%20(b');
listQ('q-labelselector-bad-key', 'labelSelector=-a%3Db');
listQ('q-labelselector-value-too-long', `labelSelector=a%3D${'x'.repeat(64)}`);
listQ('q-labelselector-8k', `labelSelector=${Array.from({ length: 700 }, (_, i) => `k${i}%3Dv`).join(',')}`);
listQ('q-fieldselector-ok', 'fieldSelector=metadata.name%3D%3Dx');
listQ('q-fieldselector-unsupported', 'fieldSelector=spec.foo%3Dx');
listQ('q-fieldselector-malformed', 'fieldSelector=metadata.name');
listQ('q-fieldselector-set-op', 'fieldSelector=metadata.name%20in%20(a)');
listQ('q-pretty', 'pretty=true');
listQ('q-unknown-param', 'nonsense=1');
listQ('q-limit-with-rv-match-exact', 'limit=1&resourceVersion=1&resourceVersionMatch=Exact');
// on writes
const delQ = (id, q, more = {}) => onCm('query', id, { method: 'DELETE', path: q ? `?${q}` : '', ...more.request }, more);
delQ('q-delete-grace-abc', 'gracePeriodSeconds=abc');
delQ('q-delete-grace-negative', 'gracePeriodSeconds=-1');
delQ('q-delete-grace-fraction', 'gracePeriodSeconds=1.5');
delQ('q-delete-grace-huge', 'gracePeriodSeconds=99999999999999999999');
delQ('q-delete-propagation-bogus', 'propagationPolicy=Bogus');
delQ('q-delete-propagation-lowercase', 'propagationPolicy=orphan');
delQ('q-delete-orphan-and-propagation', 'orphanDependents=true&propagationPolicy=Background');
delQ('q-delete-orphan-abc', 'orphanDependents=abc');
delQ('q-delete-dryrun-all', 'dryRun=All');
delQ('q-delete-dryrun-bogus', 'dryRun=bogus');
delQ('q-delete-dryrun-empty', 'dryRun=');
delQ('q-delete-body-bad-json', '', { request: { body: '{"kind":"DeleteOptions",' } });
delQ('q-delete-body-wrong-kind', '', { request: { body: '{"kind":"ConfigMap","apiVersion":"v1"}' } });
delQ('q-delete-body-propagation-bogus', '', { request: { body: '{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Bogus"}' } });
delQ('q-delete-body-grace-string', '', { request: { body: '{"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":"abc"}' } });
const postQ = (id, q, more = {}) => add('query', { id, request: { method: 'POST', path: `${CM}?${q}`, body: cm(id), ...more.request }, probe: `${CM}/${id}`, ...more.extra });
postQ('q-create-dryrun-all', 'dryRun=All');
postQ('q-create-dryrun-bogus', 'dryRun=bogus');
postQ('q-create-dryrun-twice', 'dryRun=All&dryRun=All');
postQ('q-create-dryrun-lowercase', 'dryRun=all');
postQ('q-create-fieldvalidation-bogus', 'fieldValidation=bogus');
postQ('q-create-fieldvalidation-lowercase', 'fieldValidation=strict');
postQ('q-create-fieldvalidation-strict-ok', 'fieldValidation=Strict');
postQ('q-create-fieldmanager-129', `fieldManager=${'m'.repeat(129)}`);
postQ('q-create-fieldmanager-control', 'fieldManager=a%01b');
postQ('q-create-force-true', 'force=true');
postQ('q-create-pretty-abc', 'pretty=abc');
onCm('query', 'q-patch-force-on-merge', { method: 'PATCH', path: '?force=true', headers: MERGE, body: '{"data":{"f":"g"}}' });
onCm('query', 'q-patch-apply-no-fieldmanager', { method: 'PATCH', headers: { 'Content-Type': 'application/apply-patch+yaml' }, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: q-patch-apply-no-fieldmanager\ndata:\n  a: c\n' });
onCm('query', 'q-patch-apply-force-abc', { method: 'PATCH', path: '?fieldManager=m&force=abc', headers: { 'Content-Type': 'application/apply-patch+yaml' }, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: q-patch-apply-force-abc\ndata:\n  a: c\n' });
onCm('query', 'q-put-dryrun-all', { method: 'PUT', path: '?dryRun=All', body: cm('q-put-dryrun-all', { data: { changed: 'yes' } }) });

// ---------------------------------------------------------------- HTTP edges
for (const m of ['PROPFIND', 'QUERY', 'TRACE', 'OPTIONS', 'FOO']) {
  add('http', { id: `http-method-${m.toLowerCase()}`, request: { method: m, path: `${CM}` }, probe: null });
}
add('http', { id: 'http-method-connect', request: { method: 'CONNECT', path: '127.0.0.1:80' }, probe: null });
onCm('http', 'http-head-object', { method: 'HEAD' }, { extra: { probe: null } });
// A review kind has no Table (kube's REST for it has no TableConvertor): 406, as the conformance spec checks.
add('http', { id: 'http-table-selfsubjectaccessreview', request: { method: 'POST', path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
  headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' }, body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { nonResourceAttributes: { path: '/', verb: 'get' } } } }, probe: null, messageExact: true });
add('http', { id: 'http-put-collection', request: { method: 'PUT', path: CM, body: cm('http-put-collection') }, probe: `${CM}/http-put-collection` });
add('http', { id: 'http-patch-collection', request: { method: 'PATCH', path: CM, headers: MERGE, body: '{}' }, probe: null });
onCm('http', 'http-post-object', { method: 'POST', body: cm('http-post-object') });
add('http', { id: 'http-delete-collection', setup: [{ method: 'POST', path: '/api/v1/namespaces/diff-other/configmaps', body: cm('http-dc') }], request: { method: 'DELETE', path: '/api/v1/namespaces/diff-other/configmaps' }, probe: '/api/v1/namespaces/diff-other/configmaps' });
add('http', { id: 'http-delete-collection-namespaces-path', request: { method: 'DELETE', path: '/api/v1/namespaces' }, probe: '/api/v1/namespaces' });
add('http', { id: 'http-post-text-plain', request: { method: 'POST', path: CM, headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify(cm('http-post-text-plain')) }, probe: `${CM}/http-post-text-plain` });
add('http', { id: 'http-post-xml', request: { method: 'POST', path: CM, headers: { 'Content-Type': 'application/xml' }, body: '<ConfigMap/>' }, probe: null });
add('http', { id: 'http-post-no-content-type', request: { method: 'POST', path: CM, noContentType: true, body: JSON.stringify(cm('http-post-no-content-type')) }, probe: `${CM}/http-post-no-content-type` });
add('http', { id: 'http-post-json-charset', request: { method: 'POST', path: CM, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify(cm('http-post-json-charset')) }, probe: `${CM}/http-post-json-charset` });
add('http', { id: 'http-post-json-charset-latin1', request: { method: 'POST', path: CM, headers: { 'Content-Type': 'application/json; charset=latin1' }, body: JSON.stringify(cm('http-post-json-charset-latin1')) }, probe: `${CM}/http-post-json-charset-latin1` });
add('http', { id: 'http-post-protobuf-garbage', request: { method: 'POST', path: CM, headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' }, body: Buffer.from([1, 2, 3, 4, 5]) }, probe: null });
add('http', { id: 'http-post-cbor-garbage', request: { method: 'POST', path: CM, headers: { 'Content-Type': 'application/cbor' }, body: Buffer.from([0xff, 0x00]) }, probe: null });
add('http', { id: 'http-post-content-type-garbage', request: { method: 'POST', path: CM, headers: { 'Content-Type': ';;;' }, body: JSON.stringify(cm('http-post-content-type-garbage')) }, probe: `${CM}/http-post-content-type-garbage` });
onCm('http', 'http-patch-json-content-type', { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"data":{"x":"y"}}' });
onCm('http', 'http-patch-unknown-type', { method: 'PATCH', headers: { 'Content-Type': 'application/foo-patch+json' }, body: '{"data":{"x":"y"}}' });
onCm('http', 'http-patch-no-content-type', { method: 'PATCH', noContentType: true, body: '{"data":{"x":"y"}}' });
onCm('http', 'http-patch-merge-array-body', { method: 'PATCH', headers: MERGE, body: '[]' });
onCm('http', 'http-patch-merge-null-body', { method: 'PATCH', headers: MERGE, body: 'null' });
onCm('http', 'http-patch-merge-change-name', { method: 'PATCH', headers: MERGE, body: '{"metadata":{"name":"other"}}' });
onCm('http', 'http-patch-merge-change-kind', { method: 'PATCH', headers: MERGE, body: '{"kind":"Secret"}' });
onCm('http', 'http-patch-json-patch-not-array', { method: 'PATCH', headers: JSONPATCH, body: '{"op":"add"}' });
onCm('http', 'http-patch-json-patch-bad-op', { method: 'PATCH', headers: JSONPATCH, body: '[{"op":"frobnicate","path":"/data/a"}]' });
onCm('http', 'http-patch-json-patch-missing-path', { method: 'PATCH', headers: JSONPATCH, body: '[{"op":"remove","path":"/data/nope"}]' });
onCm('http', 'http-patch-json-patch-test-fails', { method: 'PATCH', headers: JSONPATCH, body: '[{"op":"test","path":"/data/a","value":"zzz"},{"op":"add","path":"/data/q","value":"r"}]' });
onCm('http', 'http-patch-json-patch-bad-pointer', { method: 'PATCH', headers: JSONPATCH, body: '[{"op":"add","path":"data/a","value":"x"}]' });
onCm('http', 'http-patch-json-patch-array-index-huge', { method: 'PATCH', headers: JSONPATCH, body: '[{"op":"add","path":"/metadata/finalizers","value":[]},{"op":"add","path":"/metadata/finalizers/99999999999","value":"a.b/c"}]' });
onCm('http', 'http-patch-smp-bad-directive', { method: 'PATCH', headers: SMP, body: '{"data":{"$patch":"bogus"}}' });
onCm('http', 'http-patch-smp-on-list-wrong-type', { method: 'PATCH', headers: SMP, body: '{"metadata":{"finalizers":"x"}}' });
onCm('http', 'http-patch-empty-body', { method: 'PATCH', headers: MERGE, body: '' });
getPath('http-accept-xml', CM, { request: { headers: { Accept: 'application/xml' } } });
getPath('http-accept-any', CM, { request: { headers: { Accept: '*/*' } } });
getPath('http-accept-html', CM, { request: { headers: { Accept: 'text/html' } } });
getPath('http-accept-yaml', CM, { request: { headers: { Accept: 'application/yaml' } } });
getPath('http-accept-table', CM, { request: { headers: { Accept: 'application/json;as=Table;g=meta.k8s.io;v=v1' } } });
getPath('http-accept-table-bad-version', CM, { request: { headers: { Accept: 'application/json;as=Table;g=meta.k8s.io;v=v9' } } });
getPath('http-accept-partial-metadata', CM, { request: { headers: { Accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1' } } });
getPath('http-accept-partial-wrong-kind', CM, { request: { headers: { Accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1' } } });
getPath('http-accept-garbage', CM, { request: { headers: { Accept: ';;;,,' } } });
getPath('http-accept-empty', CM, { request: { headers: { Accept: '' } } });
getPath('http-no-accept', CM, { request: { noAccept: true } });
add('http', { id: 'http-two-content-lengths', request: { method: 'POST', path: CM, headers: [['Content-Type', 'application/json'], ['Content-Length', '60'], ['Content-Length', '61']], body: JSON.stringify(cm('http-two-content-lengths')).padEnd(60) }, probe: `${CM}/http-two-content-lengths` });
add('http', { id: 'http-content-length-and-chunked', request: { method: 'POST', path: CM, headers: [['Content-Type', 'application/json'], ['Content-Length', '5'], ['Transfer-Encoding', 'chunked']], body: (() => { const b = JSON.stringify(cm('http-content-length-and-chunked')); return `${b.length.toString(16)}\r\n${b}\r\n0\r\n\r\n`; })() }, probe: `${CM}/http-content-length-and-chunked` });
add('http', { id: 'http-chunked-body', request: { method: 'POST', path: CM, headers: [['Content-Type', 'application/json'], ['Transfer-Encoding', 'chunked']], body: (() => { const b = JSON.stringify(cm('http-chunked-body')); return `${b.length.toString(16)}\r\n${b}\r\n0\r\n\r\n`; })() }, probe: `${CM}/http-chunked-body` });
add('http', { id: 'http-content-length-negative', request: { method: 'POST', path: CM, headers: [['Content-Type', 'application/json'], ['Content-Length', '-1']], body: '{}' }, probe: null });
getPath('http-60-header-fields', CM, { request: { headers: Array.from({ length: 60 }, (_, i) => [`X-Extra-${i}`, `v${i}`]) } });
getPath('http-head-6k-split', CM, { request: { headers: { 'X-Big': 'b'.repeat(6000) }, splitAt: 3000 } });
getPath('http-head-6k-one-write', CM, { request: { headers: { 'X-Big': 'b'.repeat(6000) } } });
getPath('http-bearer-8k-split', CM, { request: { headers: { 'X-Long-Token': 'ey' + 't'.repeat(8000) }, splitAt: 2000 } });
getPath('http-url-8k-split', `${CM}?labelSelector=${Array.from({ length: 700 }, (_, i) => `k${i}%3Dv`).join(',')}`, { request: { splitAt: 1000 } });
getPath('http-head-1mib', CM, { request: { headers: { 'X-Huge': 'h'.repeat(1048576) } } });
getPath('http-header-no-colon', CM, { request: { headers: [['X-No-Colon-Here', ''], ['BadHeaderLine', 'x']] } });

// ---------------------------------------------------------------- concurrency and stale resourceVersions
const putWithRv = (id, rvExpr, body = {}) => add('concurrency', {
  id, setup: [{ method: 'POST', path: CM, body: cm(id) }, { method: 'PUT', path: `${CM}/${id}`, body: cm(id, { data: { a: 'second' } }) }],
  request: { method: 'PUT', path: `${CM}/${id}`, body: (ctx) => cm(id, { metadata: { name: id, resourceVersion: rvExpr(ctx) }, data: { a: 'third' }, ...body }) }, probe: `${CM}/${id}`, pick: ['/data/a'],
});
putWithRv('cc-put-stale-rv', (ctx) => ctx.vars.rv0);
putWithRv('cc-put-current-rv', (ctx) => ctx.vars.rv1);
putWithRv('cc-put-rv-abc', () => 'abc');
putWithRv('cc-put-rv-future', () => '99999999');
putWithRv('cc-put-rv-empty', () => '');
putWithRv('cc-put-rv-zero', () => '0');
add('concurrency', { id: 'cc-put-missing-object', request: { method: 'PUT', path: `${CM}/cc-put-missing-object`, body: cm('cc-put-missing-object') }, probe: `${CM}/cc-put-missing-object` });
add('concurrency', { id: 'cc-put-missing-with-rv', request: { method: 'PUT', path: `${CM}/cc-put-missing-with-rv`, body: { ...cm('cc-put-missing-with-rv'), metadata: { name: 'cc-put-missing-with-rv', resourceVersion: '5' } } }, probe: `${CM}/cc-put-missing-with-rv` });
add('concurrency', { id: 'cc-put-lease-missing-creates', request: { method: 'PUT', path: `${LEASE}/cc-put-lease-missing-creates`, body: leaseJson('cc-put-lease-missing-creates', 10) }, probe: `${LEASE}/cc-put-lease-missing-creates` });
add('concurrency', { id: 'cc-merge-patch-stale-rv', setup: [{ method: 'POST', path: CM, body: cm('cc-merge-patch-stale-rv') }, { method: 'PUT', path: `${CM}/cc-merge-patch-stale-rv`, body: cm('cc-merge-patch-stale-rv', { data: { a: 'second' } }) }], request: { method: 'PATCH', path: `${CM}/cc-merge-patch-stale-rv`, headers: MERGE, body: (ctx) => ({ metadata: { resourceVersion: ctx.vars.rv0 }, data: { a: 'third' } }) }, probe: `${CM}/cc-merge-patch-stale-rv` });
add('concurrency', { id: 'cc-json-patch-rv-abc', setup: [{ method: 'POST', path: CM, body: cm('cc-json-patch-rv-abc') }], request: { method: 'PATCH', path: `${CM}/cc-json-patch-rv-abc`, headers: JSONPATCH, body: '[{"op":"replace","path":"/metadata/resourceVersion","value":"abc"}]' }, probe: `${CM}/cc-json-patch-rv-abc` });
add('concurrency', { id: 'cc-delete-precondition-stale-rv', setup: [{ method: 'POST', path: CM, body: cm('cc-delete-precondition-stale-rv') }, { method: 'PUT', path: `${CM}/cc-delete-precondition-stale-rv`, body: cm('cc-delete-precondition-stale-rv', { data: { a: 'x' } }) }], request: { method: 'DELETE', path: `${CM}/cc-delete-precondition-stale-rv`, body: (ctx) => ({ kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { resourceVersion: ctx.vars.rv0 } }) }, probe: `${CM}/cc-delete-precondition-stale-rv` });
add('concurrency', { id: 'cc-delete-precondition-wrong-uid', setup: [{ method: 'POST', path: CM, body: cm('cc-delete-precondition-wrong-uid') }], request: { method: 'DELETE', path: `${CM}/cc-delete-precondition-wrong-uid`, body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: '00000000-0000-0000-0000-000000000000' } } }, probe: `${CM}/cc-delete-precondition-wrong-uid` });
add('concurrency', { id: 'cc-delete-precondition-current', setup: [{ method: 'POST', path: CM, body: cm('cc-delete-precondition-current') }], request: { method: 'DELETE', path: `${CM}/cc-delete-precondition-current`, body: (ctx) => ({ kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { resourceVersion: ctx.vars.rv0, uid: ctx.vars.rv0_uid } }) }, probe: `${CM}/cc-delete-precondition-current` });
add('concurrency', { id: 'cc-delete-missing', request: { method: 'DELETE', path: `${CM}/cc-delete-missing` }, probe: `${CM}/cc-delete-missing` });
add('concurrency', { id: 'cc-parallel-put-same-rv', setup: [{ method: 'POST', path: CM, body: cm('cc-parallel-put-same-rv') }], parallel: 4, request: { method: 'PUT', path: `${CM}/cc-parallel-put-same-rv`, body: (ctx) => cm('cc-parallel-put-same-rv', { metadata: { name: 'cc-parallel-put-same-rv', resourceVersion: ctx.vars.rv0 }, data: { a: 'p' } }) }, probe: `${CM}/cc-parallel-put-same-rv` });
add('concurrency', { id: 'cc-parallel-create-same-name', parallel: 5, request: { method: 'POST', path: CM, body: cm('cc-parallel-create-same-name') }, probe: `${CM}/cc-parallel-create-same-name` });
add('concurrency', { id: 'cc-parallel-delete', setup: [{ method: 'POST', path: CM, body: cm('cc-parallel-delete') }], parallel: 3, request: { method: 'DELETE', path: `${CM}/cc-parallel-delete` }, probe: `${CM}/cc-parallel-delete` });
add('concurrency', { id: 'cc-parallel-merge-patch', setup: [{ method: 'POST', path: CM, body: cm('cc-parallel-merge-patch') }], parallel: 4, request: { method: 'PATCH', path: `${CM}/cc-parallel-merge-patch`, headers: MERGE, body: '{"data":{"n":"1"}}' }, probe: null });
add('concurrency', { id: 'cc-watch-stale-rv', setup: [{ method: 'POST', path: CM, body: cm('cc-watch-stale-rv') }], request: { method: 'GET', path: `${CM}?watch=true&resourceVersion=1`, streamMs: 1500 }, probe: null });
add('concurrency', { id: 'cc-get-stale-rv', setup: [{ method: 'POST', path: CM, body: cm('cc-get-stale-rv') }], request: { method: 'GET', path: `${CM}/cc-get-stale-rv?resourceVersion=1` }, probe: null });
add('concurrency', { id: 'cc-update-immutable', setup: [{ method: 'POST', path: CM, body: cm('cc-update-immutable', { immutable: true }) }], request: { method: 'PUT', path: `${CM}/cc-update-immutable`, body: cm('cc-update-immutable', { immutable: true, data: { a: 'changed' } }) }, probe: `${CM}/cc-update-immutable` });
add('concurrency', { id: 'cc-update-uid-changed', setup: [{ method: 'POST', path: CM, body: cm('cc-update-uid-changed') }], request: { method: 'PUT', path: `${CM}/cc-update-uid-changed`, body: { ...cm('cc-update-uid-changed'), metadata: { name: 'cc-update-uid-changed', uid: '00000000-0000-0000-0000-000000000001' }, data: { a: 'z' } } }, probe: `${CM}/cc-update-uid-changed` });

// ---------------------------------------------------------------- hostile input: work one request could make a server do
// Each is answered at once by kube (linear parsers, go-yaml's alias bound); a server that backtracks or expands
// would hold its event loop for seconds to days, and the runner's timeout turns that into a difference. Heads stay
// under the 4 KiB uWebSockets.js takes in more than one read (server/http/uws.ts); the longer inputs that show the
// timings are test/integration/linear-input.test.ts's and test/unit/regex-linear.test.ts's.
const aliasBomb = (id) => ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', `  name: ${id}`, 'data:', '  a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]',
  ...Array.from({ length: 8 }, (_, i) => `  a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(',')}]`), ''].join('\n');
// About 140 KB: one anchored list of 2000 items, aliased 20000 times (40 million nodes once expanded).
const aliasQuadratic = (id) => ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', `  name: ${id}`, 'data:',
  `  a: &a [${Array(2000).fill('x').join(',')}]`, `  b: [${Array(20000).fill('*a').join(',')}]`, ''].join('\n');
add('hostile', { id: 'hostile-yaml-alias-bomb', request: { method: 'POST', path: CM, body: aliasBomb('hostile-yaml-alias-bomb'), headers: YAML }, probe: `${CM}/hostile-yaml-alias-bomb` });
add('hostile', { id: 'hostile-yaml-alias-quadratic', request: { method: 'POST', path: CM, body: aliasQuadratic('hostile-yaml-alias-quadratic'), headers: YAML }, probe: `${CM}/hostile-yaml-alias-quadratic` });
add('hostile', { id: 'hostile-timeout-backtrack', request: { method: 'GET', path: `${CM}?timeout=${'11s'.repeat(40)}x` }, probe: null });
add('hostile', { id: 'hostile-fieldselector-no-operator', request: { method: 'GET', path: `${CM}?fieldSelector=${'a'.repeat(3500)}` }, probe: null });
add('hostile', { id: 'hostile-fieldselector-spaces', request: { method: 'GET', path: `${CM}?fieldSelector=${'%20a'.repeat(800)}` }, probe: null });
add('hostile', { id: 'hostile-labelselector-long', request: { method: 'GET', path: `${CM}?labelSelector=${'a,'.repeat(1700)}` }, probe: null });
add('hostile', { id: 'hostile-discovery-slashes', request: { method: 'GET', path: `/apis${'/'.repeat(3500)}x` }, probe: null });
add('hostile', { id: 'hostile-path-slashes', request: { method: 'GET', path: `/api/v1${'/'.repeat(3500)}` }, probe: null });
// A WebSocket upgrade on a list URL without watch=true is no watch.
add('hostile', { id: 'hostile-websocket-list', request: { method: 'GET', path: CM, timeoutMs: 5000, headers: {
  Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol': 'v4.channel.k8s.io' } }, probe: null });
// The server's name as the client wrote it is no business of an upstream TLS check.
add('hostile', { id: 'hostile-host-foreign', request: { method: 'GET', path: CM, headers: { Host: 'control-plane.example.com' } }, probe: null });

// ---------------------------------------------------------------- ValidatingAdmissionPolicy
const AR = '/apis/admissionregistration.k8s.io/v1';
/** A policy on CREATE of configmaps labelled vap=<name> (no other case's objects are), denying with `validations`. */
const vap = (name, spec = {}) => ({
  apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name },
  spec: { matchConstraints: { resourceRules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }], objectSelector: { matchLabels: { vap: name } } }, ...spec },
});
const vapb = (name, spec) => ({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name }, spec });
add('admission-policy', { id: 'vap-create-defaults', request: { method: 'POST', path: `${AR}/validatingadmissionpolicies`, body: vap('vap-create-defaults', { validations: [{ expression: 'true' }] }) },
  probe: `${AR}/validatingadmissionpolicies/vap-create-defaults`,
  pick: ['/spec/failurePolicy', '/spec/matchConstraints/matchPolicy', '/spec/matchConstraints/namespaceSelector', '/spec/matchConstraints/resourceRules/0/scope', '/status', '/metadata/generation'] });
add('admission-policy', { id: 'vap-invalid', request: { method: 'POST', path: `${AR}/validatingadmissionpolicies`,
  body: { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'vap-invalid' },
    spec: { failurePolicy: 'Sometimes', paramKind: { apiVersion: 'a/b/c', kind: 'Not_A_Kind' }, validations: [{ expression: 'true', reason: 'Teapot', message: ' ' }], variables: [{ name: '1x', expression: 'true' }] } } },
  probe: `${AR}/validatingadmissionpolicies/vap-invalid`, messageExact: true });
add('admission-policy', { id: 'vap-no-validations', request: { method: 'POST', path: `${AR}/validatingadmissionpolicies`, body: vap('vap-no-validations') },
  probe: `${AR}/validatingadmissionpolicies/vap-no-validations`, messageExact: true });
add('admission-policy', { id: 'vapb-invalid', request: { method: 'POST', path: `${AR}/validatingadmissionpolicybindings`,
  body: vapb('vapb-invalid', { policyName: 'Not_A_Name', validationActions: ['Deny', 'Warn', 'Nope', 'Deny'], paramRef: { name: 'a', selector: {}, parameterNotFoundAction: 'Maybe' },
    matchResources: { matchPolicy: 'Sometimes', resourceRules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], resourceNames: ['a/b', 'c', 'c'] }] } }) },
  probe: `${AR}/validatingadmissionpolicybindings/vapb-invalid`, messageExact: true });
add('admission-policy', { id: 'vapb-invalid-selectors', request: { method: 'POST', path: `${AR}/validatingadmissionpolicybindings`,
  body: vapb('vapb-invalid-selectors', { policyName: 'none', validationActions: ['Deny'], paramRef: { selector: { matchLabels: { a: 'not a value' } }, parameterNotFoundAction: 'Allow' },
    matchResources: { namespaceSelector: { matchLabels: { 'bad key!': 'v' }, matchExpressions: [{ key: 'a', operator: 'In' }, { key: 'b', operator: 'Exists', values: ['x'] }, { key: 'c', operator: 'Nope' }] },
      objectSelector: { matchExpressions: [{ key: 'd', operator: 'In', values: ['ok', 'not ok'] }] } } }) },
  probe: `${AR}/validatingadmissionpolicybindings/vapb-invalid-selectors`, messageExact: true });
add('admission-policy', { id: 'vapb-create-defaults', request: { method: 'POST', path: `${AR}/validatingadmissionpolicybindings`, body: vapb('vapb-create-defaults', { policyName: 'none', validationActions: ['Audit'], matchResources: {} }) },
  probe: `${AR}/validatingadmissionpolicybindings/vapb-create-defaults`, pick: ['/spec/matchResources/matchPolicy', '/spec/matchResources/namespaceSelector', '/spec/matchResources/objectSelector'] });
add('admission-policy', {
  id: 'vap-deny',
  setup: [
    { method: 'POST', path: `${AR}/validatingadmissionpolicies`, body: vap('vap-deny', { validations: [{ expression: "!has(object.data.bad)", messageExpression: "'bad is ' + object.data.bad" }] }) },
    { method: 'POST', path: `${AR}/validatingadmissionpolicybindings`, body: vapb('vap-deny', { policyName: 'vap-deny', validationActions: ['Deny'] }) },
    { method: 'POST', path: CM, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'vap-deny-marker-', labels: { vap: 'vap-deny' } }, data: { bad: 'x' } }, untilStatus: 422 },
  ],
  request: { method: 'POST', path: CM, body: cm('vap-deny', { metadata: { name: 'vap-deny', labels: { vap: 'vap-deny' } }, data: { bad: 'yes' } }) },
  probe: `${CM}/vap-deny`, messageExact: true,
});
// ---------------------------------------------------------------- admission: ServiceAccount and PodSecurity
// Each case has a namespace of its own, named after it. The peer runs no controller manager, so a setup makes
// the `default` ServiceAccount (ours makes it itself: that setup may answer 409).
const nsOf = (name, labels = {}) => ({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } } });
const defaultSa = (ns) => ({ method: 'POST', path: `/api/v1/namespaces/${ns}/serviceaccounts`, body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } }, allowFailure: true });
const pod = (name, spec) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });
const privilegedSpec = { containers: [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }] };
const PSA = 'pod-security.kubernetes.io';
const podCase = (id, labels, body, more = {}) => add('admission', {
  id, setup: [nsOf(id, labels), defaultSa(id)], request: { method: 'POST', path: `/api/v1/namespaces/${id}/pods`, body }, probe: `/api/v1/namespaces/${id}/pods/${body.metadata.name}`, ...more,
});
podCase('psa-restricted-privileged', { [`${PSA}/enforce`]: 'restricted' }, pod('x', privilegedSpec), { compareWarning: true });
podCase('psa-baseline-privileged', { [`${PSA}/enforce`]: 'baseline', [`${PSA}/enforce-version`]: 'v1.30' }, pod('x', privilegedSpec));
podCase('psa-baseline-warn-restricted', { [`${PSA}/enforce`]: 'baseline', [`${PSA}/warn`]: 'restricted' }, pod('x', {}), { compareWarning: true });
podCase('psa-restricted-compliant', { [`${PSA}/enforce`]: 'restricted' }, pod('x', {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{ name: 'c', image: 'busybox', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
}), { compareWarning: true });
podCase('psa-restricted-host-everything', { [`${PSA}/enforce`]: 'restricted' }, pod('x', {
  hostNetwork: true, hostPID: true, volumes: [{ name: 'h', hostPath: { path: '/' } }, { name: 'n', nfs: { server: 's', path: '/' } }],
  securityContext: { runAsUser: 0, sysctls: [{ name: 'kernel.msgmax', value: '1' }], seccompProfile: { type: 'Unconfined' } },
  containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 8080, hostPort: 8080 }], securityContext: { capabilities: { add: ['SYS_ADMIN', 'NET_RAW'] }, runAsNonRoot: false } },
    { name: 'd', image: 'busybox', livenessProbe: { httpGet: { host: 'example.com', port: 80 } }, securityContext: { seLinuxOptions: { type: 'spc_t', user: 'u' } } }],
}));
add('admission', { id: 'psa-deployment-restricted', setup: [nsOf('psa-deployment-restricted', { [`${PSA}/enforce`]: 'restricted' })], compareWarning: true,
  request: { method: 'POST', path: '/apis/apps/v1/namespaces/psa-deployment-restricted/deployments', body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: privilegedSpec } } } },
  probe: '/apis/apps/v1/namespaces/psa-deployment-restricted/deployments/d' });
add('admission', { id: 'psa-namespace-bad-labels', request: nsOf('psa-namespace-bad-labels', { [`${PSA}/enforce`]: 'strict', [`${PSA}/audit-version`]: 'v2.1' }), probe: '/api/v1/namespaces/psa-namespace-bad-labels' });
add('admission', { id: 'psa-namespace-tighten', compareWarning: true,
  setup: [nsOf('psa-namespace-tighten'), defaultSa('psa-namespace-tighten'), { method: 'POST', path: '/api/v1/namespaces/psa-namespace-tighten/pods', body: pod('p', privilegedSpec) }],
  request: { method: 'PATCH', path: '/api/v1/namespaces/psa-namespace-tighten', headers: MERGE, body: { metadata: { labels: { [`${PSA}/enforce`]: 'baseline' } } } },
  probe: '/api/v1/namespaces/psa-namespace-tighten' });
podCase('sa-missing-serviceaccount', {}, pod('x', { serviceAccountName: 'ghost' }));
podCase('sa-kube-api-access', {}, pod('x', { initContainers: [{ name: 'i', image: 'busybox' }] }), {
  pick: ['/spec/serviceAccountName', '/spec/serviceAccount', '/spec/volumes/0/projected', '/spec/containers/0/volumeMounts/0/mountPath',
    '/spec/containers/0/volumeMounts/0/readOnly', '/spec/initContainers/0/volumeMounts/0/mountPath'] });
podCase('sa-automount-off', {}, pod('x', { automountServiceAccountToken: false }), { pick: ['/spec/volumes', '/spec/containers/0/volumeMounts', '/spec/serviceAccountName'] });
add('admission', { id: 'sa-enforce-mountable-secrets', setup: [nsOf('sa-enforce-mountable-secrets'), { method: 'POST', path: '/api/v1/namespaces/sa-enforce-mountable-secrets/serviceaccounts',
  body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'strict', annotations: { 'kubernetes.io/enforce-mountable-secrets': 'true' } }, secrets: [{ name: 'ok' }] } }],
request: { method: 'POST', path: '/api/v1/namespaces/sa-enforce-mountable-secrets/pods', body: pod('x', { serviceAccountName: 'strict', volumes: [{ name: 'v', secret: { secretName: 'other' } }] }) },
probe: '/api/v1/namespaces/sa-enforce-mountable-secrets/pods/x' });
podCase('sa-mirror-pod-with-serviceaccount', {}, { ...pod('x', { serviceAccountName: 'default' }), metadata: { name: 'x', annotations: { 'kubernetes.io/config.mirror': 'x' } } });

// ---------------------------------------------------------------- prototype keys (last: a polluted server would fail later cases)
create('proto', 'proto-data-proto-key', (id) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${id}"},"data":{"__proto__":"x"}}`, { more: { pick: ['/data/__proto__'] } });
create('proto', 'proto-data-constructor-key', (id) => ({ ...cm(id), data: { constructor: 'x', toString: 'y', hasOwnProperty: 'z' } }), { more: { pick: ['/data/constructor', '/data/toString'] } });
create('proto', 'proto-binarydata-proto-key', (id) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${id}"},"binaryData":{"__proto__":"eA=="}}`, { more: { pick: ['/binaryData/__proto__'] } });
create('proto', 'proto-labels-proto-key', (id) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${id}","labels":{"__proto__":"x"}}}`);
create('proto', 'proto-labels-constructor-key', (id) => ({ ...cm(id), metadata: { name: id, labels: { constructor: 'x' } } }), { more: { pick: ['/metadata/labels/constructor'] } });
create('proto', 'proto-annotations-proto-key', (id) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${id}","annotations":{"__proto__":"x"}}}`);
create('proto', 'proto-annotations-constructor-key', (id) => ({ ...cm(id), metadata: { name: id, annotations: { constructor: 'x' } } }), { more: { pick: ['/metadata/annotations/constructor'] } });
create('proto', 'proto-metadata-proto-object', (id) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${id}","__proto__":{"polluted":"yes"}}}`, { more: { pick: ['/metadata/__proto__', '/metadata/polluted'] } });
create('proto', 'proto-metadata-proto-strict', (id) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${id}","__proto__":{"polluted":"yes"}}}`, { path: `${CM}?fieldValidation=Strict`, more: { probe: `${CM}/proto-metadata-proto-strict` } });
create('proto', 'proto-top-proto-object', (id) => `{"apiVersion":"v1","kind":"ConfigMap","__proto__":{"polluted":"yes"},"metadata":{"name":"${id}"}}`, { more: { pick: ['/__proto__', '/polluted'] } });
create('proto', 'proto-top-proto-strict', (id) => `{"apiVersion":"v1","kind":"ConfigMap","__proto__":{"polluted":"yes"},"metadata":{"name":"${id}"}}`, { path: `${CM}?fieldValidation=Strict`, more: { probe: `${CM}/proto-top-proto-strict` } });
create('proto', 'proto-top-constructor', (id) => `{"apiVersion":"v1","kind":"ConfigMap","constructor":{"prototype":{"polluted":"yes"}},"metadata":{"name":"${id}"}}`, { more: { pick: ['/constructor'] } });
create('proto', 'proto-yaml-proto-key', (id) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${id}\ndata:\n  __proto__: x\n`, { headers: YAML, more: { pick: ['/data/__proto__'] } });
create('proto', 'proto-yaml-merge-key', (id) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${id}\nbase: &b\n  x: y\ndata:\n  <<: *b\n`, { headers: YAML, more: { pick: ['/data/x', '/data/<<'] } });
add('proto', { id: 'proto-deployment-selector-proto', request: { method: 'POST', path: DEP, body: depJson('proto-deployment-selector-proto', 1).replace('"matchLabels":{"app":"proto-deployment-selector-proto"}', '"matchLabels":{"app":"proto-deployment-selector-proto","__proto__":"x"}') }, probe: `${DEP}/proto-deployment-selector-proto` });
onCm('proto', 'proto-merge-patch-data-proto', { method: 'PATCH', headers: MERGE, body: '{"data":{"__proto__":"x"}}' }, { extra: { pick: ['/data/__proto__'] } });
onCm('proto', 'proto-smp-data-proto', { method: 'PATCH', headers: SMP, body: '{"data":{"__proto__":"x"}}' }, { extra: { pick: ['/data/__proto__'] } });
onCm('proto', 'proto-json-patch-data-proto', { method: 'PATCH', headers: JSONPATCH, body: '[{"op":"add","path":"/data/__proto__","value":"x"}]' }, { extra: { pick: ['/data/__proto__'] } });
onCm('proto', 'proto-json-patch-test-proto', { method: 'PATCH', headers: JSONPATCH, body: '[{"op":"test","path":"/data/__proto__","value":{}}]' });
onCm('proto', 'proto-json-patch-remove-constructor', { method: 'PATCH', headers: JSONPATCH, body: '[{"op":"remove","path":"/data/constructor"}]' });
onCm('proto', 'proto-json-patch-copy-from-proto', { method: 'PATCH', headers: JSONPATCH, body: '[{"op":"copy","from":"/data/__proto__","path":"/data/z"}]' });
onCm('proto', 'proto-put-data-proto', { method: 'PUT', body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"proto-put-data-proto"},"data":{"__proto__":"x","a":"b"}}' }, { extra: { pick: ['/data/__proto__'] } });
// these try to change the server for everyone: each check is a later, clean Strict create
const strictCheck = (n) => ({ method: 'POST', path: `${CM}?fieldValidation=Strict`, body: cm(n) });
onCm('proto', 'proto-merge-patch-top-proto', { method: 'PATCH', headers: MERGE, body: '{"__proto__":{"polluted":"yes"}}' }, { extra: { pick: ['/polluted', '/__proto__'], checks: [strictCheck('proto-check-1')] } });
onCm('proto', 'proto-smp-metadata-proto', { method: 'PATCH', headers: SMP, body: '{"metadata":{"__proto__":{"polluted":"yes"}}}' }, { extra: { pick: ['/metadata/polluted'], checks: [strictCheck('proto-check-2')] } });
onCm('proto', 'proto-json-patch-constructor-prototype', { method: 'PATCH', headers: JSONPATCH, body: '[{"op":"add","path":"/metadata/constructor/prototype/polluted","value":"yes"}]' }, { extra: { checks: [strictCheck('proto-check-3')] } });
onCm('proto', 'proto-json-patch-metadata-proto', { method: 'PATCH', headers: JSONPATCH, body: '[{"op":"add","path":"/metadata/__proto__/polluted","value":"yes"}]' }, { extra: { pick: ['/metadata/polluted'], checks: [strictCheck('proto-check-4'), { method: 'GET', path: `${CM}/proto-check-4` }] } });

// ---------------------------------------------------------------- admission (ResourceQuota, LimitRanger)
// Each case in its own namespace: a quota whose status the case writes itself (no quota controller runs),
// read back once (a consistent read: every cache has it), then the refused create.
// kube's ServiceAccount plugin refuses pods until the namespace's default service account exists (kube-apiserver alone makes none).
// The server makes `default` itself when no controller manager runs (kube-apiserver does not): either way it exists.
const sa = defaultSa;
const quotaCase = (id, hard, used, pod, extraSetup = []) => {
  const ns = `/api/v1/namespaces/${id}`;
  const status = used === undefined ? { hard } : { hard, used };
  add('admission', { id, setup: [
    { method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: id } } },
    { method: 'POST', path: `${ns}/resourcequotas`, body: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard } } },
    { method: 'PUT', path: `${ns}/resourcequotas/q/status`, body: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard }, status } },
    sa(id), { method: 'GET', path: `${ns}/resourcequotas/q` }, ...extraSetup,
  ], request: { method: 'POST', path: `${ns}/pods`, body: pod }, probe: `${ns}/pods/p` });
};
const quotaPod = (resources) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox', ...(resources ? { resources } : {}) }] } });
quotaCase('quota-exceeded', { pods: '1' }, { pods: '1' }, quotaPod());
quotaCase('quota-exceeded-cpu', { 'requests.cpu': '1', pods: '5' }, { 'requests.cpu': '800m', pods: '1' }, quotaPod({ requests: { cpu: '300m' } }));
quotaCase('quota-status-unknown', { pods: '1', 'count/pods': '2' }, undefined, quotaPod());
quotaCase('quota-must-specify', { 'limits.memory': '1Gi', 'requests.cpu': '1' }, { 'limits.memory': '0', 'requests.cpu': '0' }, quotaPod({ requests: { memory: '1Mi' } }));
quotaCase('quota-fits', { pods: '2', 'requests.cpu': '1' }, { pods: '1', 'requests.cpu': '0' }, quotaPod({ requests: { cpu: '1' } }));
add('admission', { id: 'quota-limitrange-max', setup: [
  { method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'quota-limitrange-max' } } },
  { method: 'POST', path: '/api/v1/namespaces/quota-limitrange-max/limitranges', body: { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr' },
    spec: { limits: [{ type: 'Container', max: { cpu: '1', memory: '1Gi' }, maxLimitRequestRatio: { cpu: '2' } }] } } },
  sa('quota-limitrange-max'), { method: 'GET', path: '/api/v1/namespaces/quota-limitrange-max/limitranges/lr' },
], request: { method: 'POST', path: '/api/v1/namespaces/quota-limitrange-max/pods', body: quotaPod({ requests: { cpu: '100m' }, limits: { cpu: '2' } }) },
probe: '/api/v1/namespaces/quota-limitrange-max/pods/p' });
add('admission', { id: 'quota-limitrange-defaults', setup: [
  { method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'quota-limitrange-defaults' } } },
  { method: 'POST', path: '/api/v1/namespaces/quota-limitrange-defaults/limitranges', body: { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr' },
    spec: { limits: [{ type: 'Container', max: { cpu: '1' }, defaultRequest: { memory: '64Mi' } }] } } },
  sa('quota-limitrange-defaults'), { method: 'GET', path: '/api/v1/namespaces/quota-limitrange-defaults/limitranges/lr' },
], request: { method: 'POST', path: '/api/v1/namespaces/quota-limitrange-defaults/pods', body: quotaPod() },
probe: '/api/v1/namespaces/quota-limitrange-defaults/pods/p',
pick: ['/spec/containers/0/resources', '/metadata/annotations/kubernetes.io~1limit-ranger'] });

// the group is the id's prefix (helpers are shared between sections)
const GROUPS = { hostile: 'hostile', body: 'bodies', num: 'bodies', yaml: 'bodies', name: 'names', path: 'paths', q: 'query', http: 'http', cc: 'concurrency', vap: 'admission-policy', vapb: 'admission-policy', proto: 'proto', quota: 'admission', psa: 'admission', sa: 'admission' };
for (const c of cases) c.group = GROUPS[c.id.split('-')[0]];

// cases whose message kube and ours must agree on word for word (stable: no generated names or versions)
const MESSAGE_EXACT = new Set([
  'body-empty-object', 'body-metadata-string', 'body-metadata-null', 'body-data-value-number',
  'body-data-array', 'body-data-string', 'body-labels-value-number', 'body-name-number',
  'body-immutable-string', 'body-data-and-binarydata-same-key', 'body-data-key-slash', 'body-data-key-empty',
  'body-over-3mib', 'body-annotations-over-256k', 'body-namespace-mismatch', 'body-unknown-top-strict',
  'body-unknown-meta-strict', 'body-unknown-nested-deployment-strict', 'body-unknown-then-duplicate-strict',
  'body-apply-unknown-field-ignore', 'body-apply-unknown-field-strict', 'num-replicas-negative',
  'num-replicas-fraction', 'num-replicas-string', 'yaml-int-data-value', 'name-underscore', 'name-uppercase',
  'name-254-chars', 'name-leading-dot', 'name-trailing-dash', 'name-dot', 'name-dotdot', 'name-slash',
  'name-percent', 'name-space', 'name-unicode', 'name-colon', 'name-empty', 'name-service-dots',
  'name-generate-empty', 'name-generate-number', 'name-get-uppercase', 'name-get-too-long',
  'name-put-mismatch', 'name-create-twice', 'path-unknown-core-version', 'path-unknown-group-version',
  'path-unknown-resource', 'path-unknown-namespaced-resource', 'path-cluster-resource-in-namespace',
  'path-cluster-resource-in-namespace-named', 'path-encoded-slash-name', 'path-dotdot',
  'path-encoded-dotdot', 'path-very-long', 'path-status-on-configmap', 'path-unknown-subresource',
  'path-too-deep', 'path-scale-missing', 'path-scale-put-bad-replicas', 'path-status-put-wrong-name',
  'path-get-missing-namespace', 'path-create-missing-namespace', 'path-healthz-unknown-check',
  'hostile-timeout-backtrack', 'q-rv-match-exact-no-rv', 'q-rv-match-exact-zero', 'q-fieldselector-malformed', 'q-fieldselector-set-op',
  'q-delete-propagation-bogus', 'q-delete-propagation-lowercase', 'q-delete-body-propagation-bogus',
  'q-patch-apply-no-fieldmanager', 'http-method-trace', 'http-method-options', 'http-post-object',
  'http-delete-collection-namespaces-path', 'http-patch-merge-change-name', 'cc-put-stale-rv',
  'cc-put-rv-future', 'cc-put-missing-object', 'cc-put-missing-with-rv', 'cc-merge-patch-stale-rv',
  'cc-delete-missing', 'cc-update-immutable', 'proto-labels-proto-key', 'proto-annotations-proto-key',
  'proto-metadata-proto-strict', 'proto-top-proto-strict',
  'quota-exceeded', 'quota-exceeded-cpu', 'quota-status-unknown', 'quota-must-specify', 'quota-limitrange-max',
  'psa-restricted-privileged', 'psa-baseline-privileged', 'psa-restricted-host-everything', 'psa-namespace-bad-labels', 'sa-missing-serviceaccount',
  'sa-mirror-pod-with-serviceaccount', 'sa-enforce-mountable-secrets',
]);
for (const c of cases) if (MESSAGE_EXACT.has(c.id)) c.messageExact = true;

export const catalogue = cases;
