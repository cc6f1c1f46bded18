// Compiled CEL programs, one per expression text in an environment, kept (a bounded map) so a request's
// conditions and validations are parsed and planned once, not per request.
import { type celEnv, parse, plan } from '@bufbuild/cel';

export type Program = (bindings: Record<string, unknown>) => unknown;

/** The compiler of one environment: expression text to its program, cached. */
export function cachedPrograms(env: ReturnType<typeof celEnv>): (expression: string) => Program {
  const programs = new Map<string, Program>();
  return (expression) => {
    let p = programs.get(expression);
    if (!p) {
      p = plan(env, parse(expression)) as unknown as Program;
      if (programs.size > 10_000) programs.clear();
      programs.set(expression, p);
    }
    return p;
  };
}
