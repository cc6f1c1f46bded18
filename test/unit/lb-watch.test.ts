import { describe, expect, it } from 'vitest';
import { eventFacts, resumeUrl, upstreamWatchUrl, watchRequest } from '../../lb/watch/request.js';

describe('which requests are watches, and from where they resume', () => {
  it('recognises ?watch=true, ?watch=1 and /watch/ paths on GET only', () => {
    expect(watchRequest('GET', '/api/v1/namespaces/default/pods?watch=true')).toBeDefined();
    expect(watchRequest('GET', '/apis/apps/v1/deployments?watch=1&resourceVersion=5')).toBeDefined();
    expect(watchRequest('GET', '/api/v1/watch/namespaces/default/pods')).toBeDefined();
    expect(watchRequest('GET', '/apis/apps/v1/watch/deployments')).toBeDefined();
    expect(watchRequest('GET', '/api/v1/namespaces/default/pods?watch=false')).toBeUndefined();
    expect(watchRequest('GET', '/api/v1/namespaces/default/pods')).toBeUndefined();
    expect(watchRequest('POST', '/api/v1/namespaces/default/pods?watch=true')).toBeUndefined();
  });

  it('is resumable from its start only when it starts at a resourceVersion', () => {
    expect(watchRequest('GET', '/api/v1/pods?watch=1&resourceVersion=42')!.startResourceVersion).toBe('42');
    expect(watchRequest('GET', '/api/v1/pods?watch=1&resourceVersion=0')!.startResourceVersion).toBeUndefined();
    expect(watchRequest('GET', '/api/v1/pods?watch=1')!.startResourceVersion).toBeUndefined();
    const list = watchRequest('GET', '/api/v1/pods?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=42')!;
    expect(list.startResourceVersion).toBeUndefined();
    expect(list.sendInitialEvents).toBe(true);
  });

  it('resumes with the same selectors, no initial events and the rest of the timeout', () => {
    const w = watchRequest('GET', '/api/v1/namespaces/a/pods?watch=1&labelSelector=app%3Dx&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=300')!;
    const url = new URL(`http://x${resumeUrl(w, '77', 120.2)}`);
    expect(url.pathname).toBe('/api/v1/namespaces/a/pods');
    expect(Object.fromEntries(url.searchParams)).toEqual({ watch: '1', labelSelector: 'app=x', allowWatchBookmarks: 'true', timeoutSeconds: '121', resourceVersion: '77' });
  });

  it('asks the instance for bookmarks even when the client does not', () => {
    const w = watchRequest('GET', '/api/v1/pods?watch=1&labelSelector=a%3Db')!;
    expect(w.clientWantsBookmarks).toBe(false);
    expect(upstreamWatchUrl(w, '/api/v1/pods?watch=1&labelSelector=a%3Db')).toBe('/api/v1/pods?watch=1&labelSelector=a%3Db&allowWatchBookmarks=true');
    const asked = '/api/v1/pods?watch=1&allowWatchBookmarks=true';
    expect(upstreamWatchUrl(watchRequest('GET', asked)!, asked)).toBe(asked);
    expect(new URL(`http://x${resumeUrl(w, '5')}`).searchParams.get('allowWatchBookmarks')).toBe('true');
  });

  it('reads an event line: type, resourceVersion, initial-events-end, Table columns', () => {
    expect(eventFacts('{"type":"ADDED","object":{"kind":"Event","metadata":{"resourceVersion":"9"},"involvedObject":{"resourceVersion":"3"}}}')!.facts)
      .toEqual({ type: 'ADDED', resourceVersion: '9', initialEventsEnd: false, tableWithColumns: false });
    expect(eventFacts('{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"12","annotations":{"k8s.io/initial-events-end":"true"}}}}')!.facts)
      .toMatchObject({ type: 'BOOKMARK', resourceVersion: '12', initialEventsEnd: true });
    expect(eventFacts('{"type":"ADDED","object":{"kind":"Table","columnDefinitions":[{"name":"Name"}],"rows":[],"metadata":{"resourceVersion":"5"}}}')!.facts)
      .toMatchObject({ resourceVersion: '5', tableWithColumns: true });
    expect(eventFacts('not json')).toBeUndefined();
  });
});
