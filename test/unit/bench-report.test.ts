// The benchmark's pure parts: figures from vegeta samples, the ratios and targets in summary.md,
// and the hand-written PNG encoder (checked by decoding what it wrote).
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { renderChart } from '../../bench/report/chart.js';
import { Canvas } from '../../bench/report/png.js';
import { chase, ratio, renderMarkdown, type Summary } from '../../bench/report/summary.js';
import { figures, type Sample } from '../../bench/runner/vegeta.js';

const sample = (atMs: number, latencyMs: number, code = 200, method = 'GET'): Sample => ({ atMs, latencyMs, code, method, error: code ? '' : 'connection refused' });

describe('figures from vegeta samples', () => {
  it('counts 2xx per second over the wall time, errors as a share, and status codes', () => {
    const samples = [sample(0, 10), sample(250, 10), sample(500, 10), sample(750, 250, 409, 'PUT')];
    const f = figures(samples);
    expect(f.requests).toBe(4);
    expect(f.rps).toBeCloseTo(3, 5); // three 2xx in one second (0 .. 750 + 250)
    expect(f.errorRate).toBe(0.25);
    expect(f.codes).toEqual({ 200: 3, 409: 1 });
    expect(f.p50Ms).toBe(10);
    expect(f.p99Ms).toBe(250);
    expect(f.firstError).toContain('PUT 409');
  });

  it('calls no answers at all a total failure, not a fast run', () => {
    expect(figures([]).errorRate).toBe(1);
    expect(figures([sample(0, 1, 0)]).rps).toBe(0);
  });
});

const row = (name: string, target: string, rps: number, p99Ms: number, extra: Record<string, unknown> = {}) => ({ name, target, rps, p50Ms: p99Ms / 2, p99Ms, errorRate: 0, ...extra });
const summary: Summary = {
  date: '2026-11-25T00:00:00.000Z', quick: false,
  machine: { cpus: 2, cpuModel: 'test', memoryGiB: 4, loadAverage: [1, 1, 1], node: 'v20', platform: 'linux' },
  options: {},
  targets: [{ name: 'single', rssMiBPerInstance: [100] }, { name: 'kube-apiserver', rssMiBPerInstance: [300] }],
  scenarios: [
    row('get', 'single', 3000, 5), row('get', 'kube-apiserver', 1000, 10),
    row('list-100', 'single', 1500, 20), row('list-100', 'kube-apiserver', 1000, 10),
    row('create', 'single', 300, 50), row('create', 'kube-apiserver', 250, 60),
    row('watch-1000', 'single', 20000, 40, { delivered: 1, expected: 1 }), row('watch-1000', 'kube-apiserver', 20000, 80, { delivered: 1, expected: 1 }),
  ],
  limits: {
    etcdTxn: { rps: 400, p50Ms: 1, p99Ms: 2, errorRate: 0 }, etcdRead: { rps: 1000, p50Ms: 1, p99Ms: 2, errorRate: 0 },
    uwsHello: { rps: 10000, p50Ms: 1, p99Ms: 2, errorRate: 0 }, etcdVersion: '3.6.16', etcdClientConcurrency: 8,
  },
};

describe('summary', () => {
  it('puts ours over kube-apiserver: throughput up is better, p99 down is better', () => {
    expect(ratio(summary, 'get', 'single')).toEqual({ rps: 3, p99: 0.5 });
    expect(ratio(summary, 'get', 'lb')).toBeUndefined();
  });

  it('marks each target of the issue met or missed with the figure behind it', () => {
    const lines = chase(summary);
    expect(lines).toContain('met: single get ≥ 3× kube-apiserver\'s throughput at a lower p99 (3.00×, p99 0.50×)');
    expect(lines).toContain('MISSED: single list-100 ≥ 3× kube-apiserver\'s throughput at a lower p99 (1.50×, p99 2.00×)');
    expect(lines).toContain('MISSED: single create within 80% of the raw etcd txn rate (300 vs 400/s)');
    expect(lines.find((l) => l.includes('watch delivery'))).toMatch(/^met: .*\(40\.0 ms\)/);
    expect(lines.find((l) => l.includes('memory'))).toMatch(/^met: single .*100 vs 300 MiB/);
  });

  it('renders one table row per scenario with every target and the ratio columns', () => {
    const md = renderMarkdown(summary);
    expect(md).toContain('| scenario | single rps | p50 | p99 | err | kube-apiserver rps | p50 | p99 | err | single/kube rps | single/kube p99 |');
    expect(md).toContain('| get | 3000 | 2.50 | 5.00 | 0.00% | 1000 | 5.00 | 10.00 | 0.00% | 3.00× | 0.50× |');
  });
});

/** Splits a PNG into its chunks, checking each CRC with an independent bitwise CRC-32. */
function chunks(png: Buffer): Array<{ type: string; data: Buffer }> {
  const crc = (b: Buffer) => {
    let c = ~0;
    for (const byte of b) {
      c ^= byte;
      for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
    }
    return ~c >>> 0;
  };
  expect(png.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
  const out: Array<{ type: string; data: Buffer }> = [];
  for (let at = 8; at < png.length;) {
    const len = png.readUInt32BE(at);
    const typed = png.subarray(at + 4, at + 8 + len);
    expect(png.readUInt32BE(at + 8 + len)).toBe(crc(typed));
    out.push({ type: typed.subarray(0, 4).toString('latin1'), data: typed.subarray(4) });
    at += 12 + len;
  }
  return out;
}

describe('PNG', () => {
  it('writes a valid RGB image whose pixels are the ones drawn', () => {
    const c = new Canvas(4, 3);
    c.rect(1, 1, 2, 1, [255, 0, 0]);
    const parts = chunks(c.png());
    expect(parts.map((p) => p.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(parts[0].data.readUInt32BE(0)).toBe(4);
    expect(parts[0].data.readUInt32BE(4)).toBe(3);
    const rows = inflateSync(parts[1].data);
    expect(rows.length).toBe(3 * (1 + 4 * 3));
    const pixel = (x: number, y: number) => [...rows.subarray(y * 13 + 1 + x * 3, y * 13 + 1 + x * 3 + 3)];
    expect(pixel(0, 1)).toEqual([255, 255, 255]);
    expect(pixel(1, 1)).toEqual([255, 0, 0]);
    expect(pixel(2, 1)).toEqual([255, 0, 0]);
    expect(pixel(3, 1)).toEqual([255, 255, 255]);
    expect(rows[13]).toBe(0); // filter type none on every row
  });

  it('draws the ratio chart as a PNG of the stated size', () => {
    const ihdr = chunks(renderChart(summary))[0].data;
    expect(ihdr.readUInt32BE(0)).toBe(900);
    expect(ihdr.readUInt32BE(4)).toBeGreaterThan(100);
  });
});
