// Continue tokens carry the revision of the first page and the key to resume from, as kube's
// k8s.io/apiserver/pkg/storage/continue.go does; a bad token is 400 with kube's message.
import { ApiError, errors } from '../api/errors.js';

const invalidStartRV = 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)';

export interface ContinuePosition {
  /** The revision of the first page; -1 continues (inconsistently) at the newest revision. */
  rv: number;
  /** The full key to resume from (inclusive). */
  start: string;
}

export function encodeContinue(rv: number, startKey: string, prefix: string): string {
  const start = startKey.slice(prefix.length);
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

export function decodeContinue(token: string, prefix: string): ContinuePosition {
  let parsed: { v?: unknown; rv?: unknown; start?: unknown };
  let text = '';
  try {
    text = Buffer.from(token, 'base64url').toString();
    parsed = JSON.parse(text) as typeof parsed;
    if (!parsed || typeof parsed !== 'object') throw new Error('not an object');
  } catch {
    throw invalid(invalidStartRV);
  }
  // Go decodes rv into an int64: anything else fails json.Unmarshal.
  if (typeof parsed.rv === 'number' && !Number.isSafeInteger(parsed.rv)) {
    const literal = /"rv"\s*:\s*(-?[0-9.eE+-]+)/.exec(text)?.[1] ?? String(parsed.rv);
    throw invalid(`continue key is not valid: json: cannot unmarshal number ${literal} into Go struct field continueToken.rv of type int64`);
  }
  if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string') throw invalid(invalidStartRV);
  if (parsed.rv === 0 || parsed.rv < -1) throw invalid(invalidStartRV);
  if (parsed.start.includes('..') || parsed.start.startsWith('/')) throw invalid(invalidStartRV);
  return { rv: parsed.rv, start: prefix + parsed.start };
}

function invalid(message: string): ApiError {
  return errors.badRequest(`invalid continue token: ${message}`);
}

/** kube's 410 for a continue token whose revision was compacted, with a token that goes on at the newest state. */
export function continueExpired(start: string, prefix: string): ApiError {
  const fresh = encodeContinue(-1, start, prefix);
  return new ApiError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.', undefined, { continue: fresh });
}
