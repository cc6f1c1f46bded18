// Priority and fairness (kube's WithPriorityAndFairness / max-in-flight): queue and shed load per flow. No issue fills it yet (after issue 9); today nothing is limited.
import type { Filter } from './chain.js';

export const priorityAndFairness: Filter = {
  name: 'priority-and-fairness',
  filter: (_ex, next) => next(),
};
