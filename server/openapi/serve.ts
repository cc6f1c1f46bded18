// /openapi/v2 and /openapi/v3 (placeholder until the generated schemas land).
import type { Exchange } from '../http/exchange.js';
import type { TypeRegistry } from '../registry/registry.js';

export async function serveOpenAPI(_ex: Exchange, _types: TypeRegistry): Promise<boolean> {
  return false;
}
