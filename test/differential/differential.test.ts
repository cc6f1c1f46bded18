// Replays the differential catalogue against our server and compares each answer with the one
// kube-apiserver gave (kube-answers.json, recorded by scripts/record-differential.mjs): status
// code, Status reason, whether anything was written (and the message for message-exact cases).
// A difference fails unless intended-differences.json (kept on purpose, with the reason) or
// known-defects.json (defects being fixed, with their issue item) lists the case. The http group and
// every case uWebSockets.js drops are replayed a second time through the load balancer (lb/), which
// fronts the instances in the HA topology; lb-differences.json lists what the LB answers otherwise.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { readKubeconfig } from '../../pki/kubeconfig.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { runLauncher, startLauncherOnFreePorts } from '../support/launcher.js';
import { type LbProcess, startLb } from '../support/lb.js';
// @ts-expect-error plain ESM shared with the recorder (scripts/record-differential.mjs), no types
import { catalogue } from './catalogue.mjs';
// @ts-expect-error as above
import { comparable, runAll } from './runner.mjs';

interface Case { id: string; group: string; messageExact?: boolean; compareWarning?: boolean }
type Answer = Record<string, unknown> & { code: number; reason: string; message: string };
interface Listed { id: string; reason?: string; issue?: string; item?: string }

/** One line for a tolerated difference: code, reason, written. */
const brief = (a: Record<string, unknown>) => `${a.code}${a.reason ? ` ${a.reason}` : ''}${a.written ? ' (written)' : ''}`;
const here = path.dirname(new URL(import.meta.url).pathname);
const load = (f: string) => JSON.parse(readFileSync(path.join(here, f), 'utf8'));
const kube: { kubeVersion: string; answers: Record<string, Answer> } = load('kube-answers.json');
const intended: Listed[] = load('intended-differences.json');
const known: Listed[] = load('known-defects.json');
// Differences the load balancer makes itself, for the replay through it: a reason, or an issue item.
const throughLb: Listed[] = load('lb-differences.json');
const cases = catalogue as Case[];
const tolerated = new Map<string, string>([
  ...intended.map((e) => [e.id, `intended: ${e.reason}`] as [string, string]),
  ...known.map((e) => [e.id, `known defect (issue ${e.issue}): ${e.item}`] as [string, string]),
]);

// What uWebSockets.js drops before JavaScript runs is listed as intended only because the LB fronts
// it: replayed through the LB, those cases must answer as kube does, with the rest of the http group.
const uwsLimited = new Set(intended.filter((e) => e.reason?.startsWith('uWebSockets.js drops')).map((e) => e.id));
const lbCases = cases.filter((c) => c.group === 'http' || uwsLimited.has(c.id));
// Go's http.Server takes a head of 1 MiB plus 4 KiB of slack (DefaultMaxHeaderBytes); the LB's default is 32 KiB.
const kubeMaxHeaderBytes = 1024 * 1024 + 4096;

describe('the lists beside the catalogue', () => {
  it('kube-answers.json answers every case (re-record after changing the catalogue)', () => {
    const missing = cases.filter((c) => !kube.answers[c.id]).map((c) => c.id);
    expect(missing).toEqual([]);
    const setupFailed = cases.filter((c) => kube.answers[c.id]?.code === -1).map((c) => `${c.id}: ${kube.answers[c.id].message}`);
    expect(setupFailed).toEqual([]);
  });

  it('every listed difference names a catalogue case, once, with its reason or issue item', () => {
    const ids = new Set(cases.map((c) => c.id));
    const all = [...intended, ...known];
    expect(all.filter((e) => !ids.has(e.id)).map((e) => e.id)).toEqual([]);
    expect(all.map((e) => e.id).filter((id, i, a) => a.indexOf(id) !== i)).toEqual([]);
    expect(intended.filter((e) => !e.reason).map((e) => e.id)).toEqual([]);
    expect(known.filter((e) => !e.issue || !e.item).map((e) => e.id)).toEqual([]);
  });

  it('lb-differences.json names cases replayed through the LB, once, each with a reason or an issue item', () => {
    const replayed = new Set(lbCases.map((c) => c.id));
    expect(throughLb.filter((e) => !replayed.has(e.id)).map((e) => e.id)).toEqual([]);
    expect(throughLb.map((e) => e.id).filter((id, i, a) => a.indexOf(id) !== i)).toEqual([]);
    expect(throughLb.filter((e) => !e.reason && (!e.issue || !e.item)).map((e) => e.id)).toEqual([]);
  });
});

/** Compares one group's answers with kube's; a difference `tolerated` does not name fails the test. */
function compareGroup(label: string, group: Case[], ours: Record<string, Answer>, tolerated: (id: string) => string | undefined): void {
  const unexpected: string[] = [];
  const report: string[] = [];
  for (const c of group) {
    const want = comparable(c, kube.answers[c.id]);
    const got = comparable(c, ours[c.id]);
    const same = JSON.stringify(want) === JSON.stringify(got);
    const why = tolerated(c.id);
    if (same && why?.startsWith('known defect')) report.push(`FIXED (remove from ${why.includes('through the LB') ? 'lb-differences' : 'known-defects'}.json): ${c.id}`);
    if (same) continue;
    if (why) {
      report.push(`${c.id}: kube ${brief(want)}, ours ${brief(got)} [${why.split(':')[0]}]`);
      continue;
    }
    unexpected.push(`${c.id}\n    kube: ${JSON.stringify(want)}\n    ours: ${JSON.stringify(got)}${ours[c.id]?.message ? `\n    our message: ${String(ours[c.id].message).slice(0, 200)}` : ''}`);
  }
  if (report.length) console.log(`[differential ${label}] tolerated differences:\n  ${report.join('\n  ')}`);
  expect(unexpected, `answers that differ from kube-apiserver's:\n  ${unexpected.join('\n  ')}`).toEqual([]);
}

describe(`bad input answered as kube-apiserver ${kube.kubeVersion} answers it`, () => {
  let cluster: TestCluster;
  let ours: Record<string, Answer> = {};

  beforeAll(async () => {
    cluster = await startCluster(1);
    const url = new URL(cluster.url);
    ours = await runAll({ host: url.hostname, port: Number(url.port), tls: false }, cases);
  }, 600000);
  afterAll(async () => {
    await cluster?.stop();
  });

  const groups = [...new Set(cases.map((c) => c.group))];
  it.each(groups)('%s', (group) => {
    compareGroup(group, cases.filter((x) => x.group === group), ours, (id) => tolerated.get(id));
  });
});

describe(`through the load balancer: the http group and what uWS drops, answered as kube-apiserver ${kube.kubeVersion} answers it`, () => {
  let cluster: TestCluster | undefined;
  let lb: LbProcess | undefined;
  let ours: Record<string, Answer> = {};
  const lbTolerated = new Map<string, string>(throughLb.map((e) => [e.id, e.reason
    ? `intended through the LB: ${e.reason}` : `known defect through the LB (issue ${e.issue}): ${e.item}`]));

  beforeAll(async () => {
    // A cluster of its own: the direct replay's objects (named after the cases) would collide.
    cluster = await startCluster(1);
    lb = await startLb([cluster.url], ['--max-header-size', String(kubeMaxHeaderBytes)]);
    ours = await runAll({ host: '127.0.0.1', port: lb.port, tls: false }, lbCases);
  }, 600000);
  afterAll(async () => {
    await lb?.stop();
    await cluster?.stop();
  });

  it('uWS-limited cases (intended-differences.json) answer exactly as kube does, unless lb-differences.json says why not', () => {
    expect(uwsLimited.size).toBeGreaterThan(0);
    compareGroup('uws-limited through the LB', lbCases.filter((c) => uwsLimited.has(c.id)), ours, (id) => lbTolerated.get(id));
  });

  it('http (the instance\'s own differences pass through as they are)', () => {
    compareGroup('http through the LB', lbCases.filter((c) => !uwsLimited.has(c.id)), ours, (id) => lbTolerated.get(id) ?? tolerated.get(id));
  });
});


describe(`the whole catalogue through the secured default topology (npm start: TLS LB, admin client certificate, RBAC, audit), answered as kube-apiserver ${kube.kubeVersion} answers it`, () => {
  let dir: string | undefined;
  let ours: Record<string, Answer> = {};
  // The instance's own differences pass through the LB as they are; the LB's own are listed in lb-differences.json.
  const lbTolerated = new Map<string, string>(throughLb.map((e) => [e.id, e.reason
    ? `intended through the LB: ${e.reason}` : `known defect through the LB (issue ${e.issue}): ${e.item}`]));

  beforeAll(async () => {
    const { dir: clusterDir, port, started } = await startLauncherOnFreePorts('differential-secured-', ['--etcd-members=1', '--no-redis', '--apiservers=1']);
    dir = clusterDir;
    if (started.code !== 0) throw new Error(`launcher start failed (exit ${started.code}): ${started.stderr}`);
    const admin = readKubeconfig(path.join(clusterDir, 'kubeconfig'));
    ours = await runAll({ host: '127.0.0.1', port, tls: true, ca: admin.ca, cert: admin.cert, key: admin.key }, cases);
  }, 900000);
  afterAll(async () => {
    if (!dir) return;
    if (existsSync(path.join(dir, 'state.json'))) await runLauncher(['stop', `--cluster-dir=${dir}`]);
    rmSync(dir, { recursive: true, force: true });
  }, 60000);

  const groups = [...new Set(cases.map((c) => c.group))];
  it.each(groups)('%s', (group) => {
    compareGroup(`${group} through the secured LB`, cases.filter((x) => x.group === group), ours,
      (id) => lbTolerated.get(id) ?? (uwsLimited.has(id) ? undefined : tolerated.get(id)));
  });
});
