// Shuffle sharding (k8s.io/apiserver pkg/util/shufflesharding): a flow's hash deals it a hand of distinct
// queues, so one heavy flow fills only its own hand and another flow rarely shares every queue with it.
import { createHash } from 'node:crypto';

export const maxHashBits = 60;

export function requiredEntropyBits(deckSize: number, handSize: number): number {
  return Math.ceil(Math.log2(deckSize) * handSize);
}

/** kube's hashFlowID: the first 8 bytes (little-endian) of sha256(flowSchemaName NUL distinguisher). */
export function hashFlowID(flowSchemaName: string, distinguisher: string): bigint {
  const sum = createHash('sha256').update(flowSchemaName).update(Buffer.from([0])).update(distinguisher).digest();
  return sum.readBigUInt64LE(0);
}

/** kube's Dealer.Deal: the hash read as mixed-radix digits picks handSize distinct cards out of deckSize. */
export function dealHand(hash: bigint, deckSize: number, handSize: number): number[] {
  const remainders: number[] = [];
  let h = hash;
  for (let i = 0; i < handSize; i++) {
    const radix = BigInt(deckSize - i);
    remainders.push(Number(h % radix));
    h /= radix;
  }
  const hand: number[] = [];
  for (let i = 0; i < handSize; i++) {
    let card = remainders[i];
    for (let j = i; j > 0; j--) if (card >= remainders[j - 1]) card++;
    hand.push(card);
  }
  return hand;
}
