// Runs catalogue cases against one API server and reduces each answer to what is compared:
// status code, Status reason (and message), and whether the request wrote anything.
import { rawRequest } from './http.mjs';

/** The namespaces every run creates first (both servers start from an empty etcd). */
export const NAMESPACES = ['diff', 'diff-other'];

const val = (v, ctx) => (typeof v === 'function' ? v(ctx) : v);

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Walks a JSON pointer through own properties only (a key like __proto__ is data here). */
export function pick(obj, pointer) {
  let cur = obj;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, key)) return '<absent>';
    cur = cur[key];
  }
  return JSON.stringify(cur);
}

function send(target, spec, ctx) {
  const headers = [];
  const given = val(spec.headers, ctx) ?? {};
  const pairs = Array.isArray(given) ? given : Object.entries(given);
  let body = val(spec.body, ctx);
  if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body)) body = JSON.stringify(body);
  const hasCt = pairs.some(([k]) => k.toLowerCase() === 'content-type');
  if (body !== undefined && !hasCt && !spec.noContentType) headers.push(['Content-Type', 'application/json']);
  if (!pairs.some(([k]) => k.toLowerCase() === 'accept') && !spec.noAccept) headers.push(['Accept', 'application/json']);
  if (target.token && !spec.noAuth) headers.push(['Authorization', `Bearer ${target.token}`]);
  return rawRequest(target, {
    method: spec.method ?? 'GET', path: val(spec.path, ctx), headers: [...headers, ...pairs], body,
    splitAt: spec.splitAt, noContentLength: spec.noContentLength, timeoutMs: spec.timeoutMs, streamMs: spec.streamMs,
  });
}

function reduce(res) {
  const json = parseJson(res.body ?? '');
  const status = json && json.kind === 'Status' ? json : undefined;
  const out = { code: res.status };
  if (res.status === 0) out.error = res.error;
  out.reason = status?.reason ?? '';
  out.message = status?.message ?? (res.status >= 400 && !json ? String(res.body ?? '').slice(0, 300).trim() : '');
  out.warning = res.headers?.warning !== undefined;
  if (res.streamOpen !== undefined) out.streamOpen = res.streamOpen;
  return { out, json };
}

/** What a read of the target path says about stored state: a list's names and versions, or an object's version. */
async function snapshot(target, path, ctx) {
  const res = await send(target, { method: 'GET', path }, ctx);
  const json = parseJson(res.body ?? '');
  if (res.status !== 200 || !json) return { key: String(res.status), json };
  if (Array.isArray(json.items)) return { key: `200 ${json.items.map((i) => `${i.metadata?.name}@${i.metadata?.resourceVersion}`).join(',')}`, json };
  return { key: `200 ${json.metadata?.resourceVersion}`, json };
}

/** Runs one case; never throws (a failure to connect is an answer too). */
export async function runCase(target, c) {
  const ctx = { vars: {} };
  for (const [i, s] of (c.setup ?? []).entries()) {
    let res = await send(target, s, ctx);
    // untilStatus: sent again until it answers that code (a policy that takes effect through a watch)
    for (const deadline = Date.now() + 15_000; s.untilStatus && res.status !== s.untilStatus && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 100));
      res = await send(target, s, ctx);
    }
    if (s.untilStatus && res.status === s.untilStatus) continue;
    const json = parseJson(res.body ?? '');
    if (!(res.status >= 200 && res.status < 300) && !s.allowFailure) {
      return { code: -1, reason: 'SetupFailed', message: `setup ${i} ${s.method ?? 'GET'} answered ${res.status}: ${String(res.body).slice(0, 300)}`, written: null };
    }
    if (json?.metadata?.resourceVersion) ctx.vars[s.as ?? `rv${i}`] = json.metadata.resourceVersion;
    if (json?.metadata?.uid) ctx.vars[`${s.as ?? `rv${i}`}_uid`] = json.metadata.uid;
    if (json?.metadata?.continue) ctx.vars.continue = json.metadata.continue;
    if (json?.metadata?.resourceVersion) ctx.vars.lastRv = json.metadata.resourceVersion;
  }
  const watched = c.probe === null ? undefined : val(c.probe, ctx);
  const before = watched ? await snapshot(target, watched, ctx) : undefined;

  let answer;
  if (c.parallel) {
    const all = await Promise.all(Array.from({ length: c.parallel }, () => send(target, c.request, ctx)));
    const reduced = all.map((r) => reduce(r).out);
    answer = { code: Math.min(...reduced.map((r) => r.code)), reason: '', message: '', warning: false, codes: reduced.map((r) => `${r.code} ${r.reason}`).sort() };
  } else {
    answer = reduce(await send(target, c.request, ctx)).out;
  }

  if (watched) {
    const after = await snapshot(target, watched, ctx);
    answer.written = before.key !== after.key;
    // a pick is a pointer (its value is recorded) or [pointer, value] (whether it holds that value)
    if (c.pick) {
      answer.picked = Object.fromEntries(c.pick.map((p) => Array.isArray(p)
        ? [`${p[0]} == ${JSON.stringify(p[1])}`, after.json ? pick(after.json, p[0]) === JSON.stringify(p[1]) : '<no object>']
        : [p, after.json ? pick(after.json, p) : '<no object>']));
    }
  } else {
    answer.written = null;
  }
  if (c.checks) {
    answer.checks = [];
    for (const chk of c.checks) answer.checks.push(reduce(await send(target, chk, ctx)).out.code);
  }
  return answer;
}

/** Creates the namespaces the catalogue uses. */
export async function prepare(target) {
  for (const name of NAMESPACES) {
    const res = await send(target, { method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } }, { vars: {} });
    if (res.status !== 201 && res.status !== 409) throw new Error(`creating namespace ${name}: ${res.status} ${res.body}`);
  }
}

/** The fields of an answer that must agree; the message only for message-exact cases. */
export function comparable(c, a) {
  const out = { code: a.code, reason: a.reason, written: a.written };
  if (a.codes) out.codes = a.codes;
  if (a.picked) out.picked = a.picked;
  if (a.checks) out.checks = a.checks;
  if (a.streamOpen !== undefined) out.streamOpen = a.streamOpen;
  if (c.messageExact) out.message = a.message;
  if (c.compareWarning) out.warning = a.warning;
  return out;
}

export async function runAll(target, cases, onCase = () => {}) {
  await prepare(target);
  const answers = {};
  for (const c of cases) {
    answers[c.id] = await runCase(target, c);
    onCase(c, answers[c.id]);
  }
  return answers;
}
