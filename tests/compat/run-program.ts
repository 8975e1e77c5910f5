// Runs one external program (a build step or a client scenario) with a deadline and a bounded
// capture of its output, so a hung or chatty program cannot hang or flood the test run.
import { spawn } from 'node:child_process';

const MAX_OUTPUT_CHARS = 2 * 1024 * 1024;
const KILL_GRACE_MS = 5_000;

export interface ProgramResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly elapsedMs: number;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
}

function keepTail(text: string, chunk: string): string {
  const next = text + chunk;
  return next.length > MAX_OUTPUT_CHARS ? next.slice(next.length - MAX_OUTPUT_CHARS) : next;
}

export function runProgram(cmd: string, args: readonly string[], opts: RunOptions): Promise<ProgramResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout = keepTail(stdout, d); });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr = keepTail(stderr, d); });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS).unref();
    }, opts.timeoutMs);
    const finish = (code: number | null, signal: NodeJS.Signals | null, extra = ''): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr: stderr + extra, timedOut, elapsedMs: Date.now() - started });
    };
    child.once('error', (e) => finish(null, null, `\n[could not run ${cmd}: ${e.message}]`));
    child.once('close', (code, signal) => finish(code, signal));
  });
}

/** A one-paragraph account of a finished program for assertion messages. */
export function describeResult(what: string, r: ProgramResult, tailChars = 8_000): string {
  const how = r.timedOut ? `timed out after ${r.elapsedMs} ms` : r.signal !== null ? `killed by ${r.signal}` : `exit code ${String(r.code)}`;
  const tail = (s: string): string => (s.length > tailChars ? `...${s.slice(s.length - tailChars)}` : s);
  return `${what}: ${how}\n--- stdout ---\n${tail(r.stdout)}\n--- stderr ---\n${tail(r.stderr)}`;
}
