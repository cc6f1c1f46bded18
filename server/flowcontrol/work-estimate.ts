// How many seats a request takes (kube's WorkEstimator with SizeBasedListCostEstimate, on by default in
// 1.35): a LIST, or a WATCH that starts with the current state, by the bytes it loads (objects stored
// times their average size, 100 kB a seat, at most 1 MB counted when served from the watch cache);
// everything else one seat.
import type { RequestInfo } from '../http/request-info.js';

/** Objects stored for one resource and their average size (kube's storage.Stats). */
export interface ObjectStats {
  count: number;
  averageSizeBytes: number;
}

const minSeats = 1;
const maxListSeats = 100;
const bytesPerSeat = 100_000;
const cacheMaxMemory = 1_000_000;
const maxObjectSize = 1_500_000;

/** kube's per-level cap: max(1, min(ceil(15% of nominal), nominal / handSize)) for a queuing level; 0 for none. */
export function levelMaxSeats(nominal: number, handSize: number | undefined): number {
  if (!handSize) return 0;
  return Math.max(1, Math.min(Math.ceil(nominal * 0.15), Math.floor(nominal / handSize)));
}

export function estimateSeats(info: RequestInfo, query: URLSearchParams, stats: ObjectStats | undefined, levelMax: number): number {
  if (!info.isResourceRequest || (info.verb !== 'list' && info.verb !== 'watch')) return minSeats;
  const maxSeats = levelMax === 0 || levelMax > maxListSeats ? maxListSeats : levelMax;
  const rv = query.get('resourceVersion') ?? '';
  if (info.verb === 'watch' && query.get('sendInitialEvents') !== 'true' && rv !== '' && rv !== '0') return minSeats;
  if (!stats) return minSeats; // a resource the counts do not know (kube's ObjectCountNotFoundErr)
  // Our cacher serves every list from the watch cache but an exact resourceVersion match or a continuation.
  const fromCache = info.verb === 'watch' || (query.get('resourceVersionMatch') !== 'Exact' && !query.get('continue'));
  const average = stats.averageSizeBytes <= 0 && stats.count ? maxObjectSize : stats.averageSizeBytes;
  const limit = Number(query.get('limit') ?? 0);
  const limited = limit > 0 && limit < stats.count ? limit : stats.count;
  let objects: number;
  if (info.name) objects = 1;
  else if (fromCache) objects = limited;
  else if (query.get('fieldSelector') || query.get('labelSelector')) objects = Math.max(limited, Math.floor(stats.count / 2));
  else objects = limited;
  let memory = objects * average;
  if (fromCache) memory = Math.min(memory, cacheMaxMemory);
  return Math.min(maxSeats, Math.max(minSeats, Math.ceil(memory / bytesPerSeat)));
}
