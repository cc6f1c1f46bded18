// Cron schedules as the CronJob controller parses them: five fields or a @descriptor.
const ranges: Array<[number, number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
const names: Array<Record<string, number> | undefined> = [
  undefined, undefined, undefined,
  { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
  { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 },
];
const descriptors = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/** The parse error kube reports, or undefined when the schedule is valid. */
export function cronError(schedule: string): string | undefined {
  const s = schedule.trim();
  if (descriptors.has(s)) return undefined;
  if (s.startsWith('@every ')) return /^@every \d+(ms|s|m|h)(\d+(ms|s|m|h))*$/.test(s) ? undefined : `failed to parse duration ${s.slice(7)}`;
  if (s.startsWith('@')) return `unrecognized descriptor: ${s}`;
  const fields = s.split(/\s+/);
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`;
  for (const [i, f] of fields.entries()) {
    for (const part of f.split(',')) {
      const [rangePart, step] = part.split('/');
      if (step !== undefined && !/^\d+$/.test(step)) return `failed to parse int from ${step}: strconv.Atoi: parsing "${step}": invalid syntax`;
      if (rangePart === '*' || rangePart === '?') continue;
      const bounds = rangePart.split('-');
      if (bounds.length > 2) return `too many hyphens: ${rangePart}`;
      for (const b of bounds) {
        const v = names[i]?.[b.toLowerCase()] ?? (/^\d+$/.test(b) ? Number(b) : NaN);
        if (Number.isNaN(v)) return `failed to parse int from ${b}: strconv.Atoi: parsing "${b}": invalid syntax`;
        if (v < ranges[i][0]) return `beginning of range (${v}) below minimum (${ranges[i][0]}): ${rangePart}`;
        if (v > ranges[i][1]) return `end of range (${v}) above maximum (${ranges[i][1]}): ${rangePart}`;
      }
    }
  }
  return undefined;
}
