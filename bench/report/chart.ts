// ratios.png: for every request scenario, our throughput over kube-apiserver's, one bar per target
// of ours, with lines at 1× (parity) and 3× (the target for GET and LIST).
import { Canvas, type Rgb } from './png.js';
import { kube, ratio, type Summary } from './summary.js';

const colors: Rgb[] = [[52, 101, 164], [245, 121, 0], [115, 210, 22]];
const grey: Rgb = [160, 160, 160];
const ink: Rgb = [30, 30, 30];

export function renderChart(s: Summary): Buffer {
  const ours = [...new Set(s.scenarios.map((x) => x.target))].filter((t) => t !== kube);
  const names = [...new Set(s.scenarios.map((x) => x.name))].filter((n) => !n.startsWith('watch-') && n !== 'failover' && ours.some((t) => ratio(s, n, t)));
  const bar = 12;
  const group = ours.length * bar + 10;
  const left = 190;
  const top = 56;
  const width = 900;
  const plotWidth = width - left - 30;
  const height = top + Math.max(1, names.length) * group + 50;
  const c = new Canvas(width, height);
  c.text(10, 10, `throughput ours / kube-apiserver  ${s.date.slice(0, 16)}${s.quick ? '  (quick)' : ''}`, ink, 2);
  let lx = 10;
  ours.forEach((t, i) => {
    c.rect(lx, 32, 12, 10, colors[i % colors.length]);
    lx += 18 + c.text(lx + 18, 32, t, ink, 2) + 16;
  });
  const max = Math.max(3.5, ...names.flatMap((n) => ours.map((t) => ratio(s, n, t)?.rps ?? 0)).filter(Number.isFinite));
  const xMax = Math.ceil(max);
  const x = (v: number) => left + (Math.min(v, xMax) / xMax) * plotWidth;
  const bottom = top + names.length * group;
  for (let v = 0; v <= xMax; v++) {
    c.rect(x(v), top - 4, 1, bottom - top + 8, v === 1 || v === 3 ? ink : [225, 225, 225]);
    c.text(x(v) - 4, bottom + 10, `${v}`, ink, 2);
  }
  c.text(left + plotWidth / 2 - 40, bottom + 30, 'x kube-apiserver', grey, 2);
  names.forEach((n, gi) => {
    const y = top + gi * group;
    c.text(10, y + group / 2 - 8, n, ink, 2);
    ours.forEach((t, i) => {
      const r = ratio(s, n, t)?.rps;
      if (r === undefined || !Number.isFinite(r)) return;
      c.rect(left, y + 4 + i * bar, x(r) - left, bar - 2, colors[i % colors.length]);
      c.text(x(r) + 4, y + 4 + i * bar, r.toFixed(2), ink, 1);
    });
  });
  return c.png();
}
