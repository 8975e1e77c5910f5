// Which external tools (java, mvn, go, python3, ...) are on PATH, and what a test does when one
// is missing: on a developer's machine it is skipped with a message saying what was skipped; in
// CI (CI=true) a missing tool is a failure, so a green CI never hides an untested client.
import fs from 'node:fs';
import path from 'node:path';

export type ToolName = 'java' | 'mvn' | 'go' | 'python3';

/** Absolute path of an executable named `name` on PATH, or undefined. */
export function findOnPath(name: string, envPath: string | undefined = process.env['PATH']): string | undefined {
  if (envPath === undefined || envPath === '') return undefined;
  for (const dir of envPath.split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here: keep looking along PATH
    }
  }
  return undefined;
}

/** Which of the tools are on PATH. */
export function availableTools(names: readonly ToolName[] = ['java', 'mvn', 'go', 'python3']): Record<string, boolean> {
  const found: Record<string, boolean> = {};
  for (const n of names) found[n] = findOnPath(n) !== undefined;
  return found;
}

export interface ToolGate {
  /** Message for node:test's `skip` option, or false when the test should run. */
  readonly skip: string | false;
  /** Set when the test must run and fail with this message (a tool is missing in CI). */
  readonly failure: string | undefined;
}

/**
 * Decide what a test that needs `tools` does. `what` names the test in the messages.
 * `missing` lets a caller add reasons of its own (e.g. a client library that could not be fetched).
 */
export function gateOnTools(
  what: string,
  tools: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  isOnPath: (name: string) => boolean = (n) => findOnPath(n, env['PATH']) !== undefined,
): ToolGate {
  const missing = tools.filter((t) => !isOnPath(t));
  if (missing.length === 0) return { skip: false, failure: undefined };
  const reason = `${what} needs ${missing.join(', ')} on PATH (missing: ${missing.join(', ')})`;
  if (env['CI'] === 'true') return { skip: false, failure: `${reason}; CI=true, so this is a failure, not a skip` };
  return { skip: `skipped ${what}: ${reason}`, failure: undefined };
}
