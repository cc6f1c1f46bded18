// --enable-priority-and-fairness: on by default as in kube; off puts the max-in-flight filter back in its slot.
import { expect, it } from 'vitest';
import { loadConfig } from '../../../server/config.js';

it('--enable-priority-and-fairness defaults to true and takes true/false', () => {
  expect(loadConfig([], {}).enablePriorityAndFairness).toBe(true);
  expect(loadConfig(['--enable-priority-and-fairness=false'], {}).enablePriorityAndFairness).toBe(false);
  expect(loadConfig(['--enable-priority-and-fairness'], {}).enablePriorityAndFairness).toBe(true);
  expect(loadConfig([], { KUBE_APISERVER_ENABLE_PRIORITY_AND_FAIRNESS: 'false' }).enablePriorityAndFairness).toBe(false);
  expect(() => loadConfig(['--enable-priority-and-fairness=maybe'], {})).toThrow('--enable-priority-and-fairness must be true or false, got maybe');
});
