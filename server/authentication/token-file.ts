// --token-auth-file (kube's static token file): CSV lines `token,user,uid[,"group1,group2"]`.
import { readFileSync } from 'node:fs';
import type { Authenticated, TokenAuthenticator } from './authenticator.js';

export class TokenFileAuthenticator implements TokenAuthenticator {
  readonly name = 'token-file';

  constructor(private readonly tokens: Map<string, Authenticated>) {}

  static fromFile(file: string): TokenFileAuthenticator {
    const tokens = new Map<string, Authenticated>();
    const lines = readFileSync(file, 'utf8').split(/\r?\n/);
    for (const [i, line] of lines.entries()) {
      if (!line.trim()) continue;
      const fields = csvFields(line);
      if (fields.length < 3) throw new Error(`--token-auth-file ${file}: line ${i + 1} has ${fields.length} fields, want token,user,uid[,groups]`);
      const [token, name, uid, groups] = fields;
      if (!token) continue;
      // kube warns and keeps the first of duplicated tokens.
      if (tokens.has(token)) continue;
      tokens.set(token, { user: { name, uid, groups: groups ? groups.split(',').map((g) => g.trim()).filter(Boolean) : [] } });
    }
    return new TokenFileAuthenticator(tokens);
  }

  async authenticateToken(token: string): Promise<Authenticated | undefined> {
    return this.tokens.get(token);
  }
}

/** One CSV record: commas separate, double quotes group (a doubled quote is a quote), leading spaces trimmed. */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let start = true;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === ',') { out.push(cur); cur = ''; start = true; continue; }
    else if (c === '"' && start) quoted = true;
    else if (!(start && c === ' ')) cur += c;
    start = start && c === ' ';
    if (c !== ' ') start = false;
  }
  out.push(cur);
  return out;
}
