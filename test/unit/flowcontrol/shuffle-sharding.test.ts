// Shuffle sharding as kube deals it (k8s.io/apiserver shufflesharding.Dealer and apf hashFlowID): the
// expected hands were computed with kube's algorithm in Go, so a flow lands in the same queues here.
import { describe, expect, it } from 'vitest';
import { dealHand, hashFlowID, requiredEntropyBits } from '../../../server/flowcontrol/shuffle-sharding.js';

describe('shuffle sharding', () => {
  it('hashes a flow as kube does and deals it the same hand', () => {
    const cases: Array<[string, string, bigint, number[], number[]]> = [
      ['global-default', 'alice', 17644606172554983095n, [55, 62, 126, 125, 105, 1], [55, 56, 51, 36, 11, 5, 38, 52]],
      ['catch-all', 'system:anonymous', 10492374483539041965n, [45, 43, 124, 116, 0, 81], [45, 15, 1, 37, 8, 61, 0, 2]],
      ['kube-system-service-accounts', 'kube-system', 5788695476672829020n, [92, 95, 124, 69, 84, 46], [28, 56, 24, 53, 10, 59, 21, 25]],
    ];
    for (const [fs, distinguisher, hash, hand128x6, hand64x8] of cases) {
      expect(hashFlowID(fs, distinguisher)).toBe(hash);
      expect(dealHand(hash, 128, 6)).toEqual(hand128x6);
      expect(dealHand(hash, 64, 8)).toEqual(hand64x8);
    }
    expect(dealHand(2n ** 64n - 1n, 512, 6)).toEqual([511, 1, 127, 94, 196, 285]);
  });

  it('deals distinct cards within the deck for any hash', () => {
    for (let i = 0; i < 200; i++) {
      const hand = dealHand(hashFlowID('fs', `user-${i}`), 16, 4);
      expect(new Set(hand).size).toBe(4);
      expect(hand.every((c) => c >= 0 && c < 16)).toBe(true);
    }
    expect(dealHand(12345n, 1, 1)).toEqual([0]);
  });

  it('spreads flows over the queues', () => {
    const firsts = new Set(Array.from({ length: 500 }, (_, i) => dealHand(hashFlowID('fs', `u${i}`), 64, 1)[0]));
    expect(firsts.size).toBeGreaterThan(55);
  });

  it('requires entropy as kube counts it (validation refuses more than 60 bits)', () => {
    expect(requiredEntropyBits(64, 8)).toBe(48);
    expect(requiredEntropyBits(128, 6)).toBe(42);
    expect(requiredEntropyBits(512, 7)).toBe(63);
  });
});
