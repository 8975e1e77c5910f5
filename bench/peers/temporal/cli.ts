// Finds the Temporal CLI (it embeds the development server the peer runs against), or builds it
// from the Go module proxy into a cache directory. Nothing is faked: when neither works, the
// caller is told why and skips the peer.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const CLI_CACHE_DIR = path.join(os.homedir(), '.cache', 'filly', 'temporal');
/** Building the CLI compiles the whole Temporal server: minutes on a 2-core machine. */
const GO_INSTALL_TIMEOUT_MS = 30 * 60_000;
const STDERR_TAIL_CHARS = 2_000;

export type CliLookup = { ok: true; path: string; version: string } | { ok: false; reason: string };

function versionOf(bin: string): string | undefined {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    const p = path.join(dir, name);
    if (dir !== '' && fs.existsSync(p)) return p;
  }
  return undefined;
}

/** FILLY_TEMPORAL_CLI, then the cache, then PATH; else `go install` into the cache. */
export function findOrInstallCli(log: (line: string) => void): CliLookup {
  const cached = path.join(CLI_CACHE_DIR, 'bin', 'temporal');
  const candidates = [process.env['FILLY_TEMPORAL_CLI'], cached, onPath('temporal')].filter((p): p is string => p !== undefined && p !== '');
  for (const p of candidates) {
    const version = fs.existsSync(p) ? versionOf(p) : undefined;
    if (version !== undefined) return { ok: true, path: p, version };
  }
  const go = onPath('go');
  if (go === undefined) return { ok: false, reason: 'the Temporal CLI is not installed and Go is not on PATH to build it (set FILLY_TEMPORAL_CLI)' };
  log(`  building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install (minutes; once) into ${CLI_CACHE_DIR}`);
  fs.mkdirSync(path.join(CLI_CACHE_DIR, 'bin'), { recursive: true });
  const r = spawnSync(go, ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
    encoding: 'utf8',
    timeout: GO_INSTALL_TIMEOUT_MS,
    env: { ...process.env, GOFLAGS: '-mod=mod', GOBIN: path.join(CLI_CACHE_DIR, 'bin') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0) {
    const tail = `${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.slice(-STDERR_TAIL_CHARS).trim();
    return { ok: false, reason: `go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} failed (exit ${r.status ?? r.signal}): ${tail}` };
  }
  const version = versionOf(cached);
  return version === undefined ? { ok: false, reason: `go install succeeded but ${cached} does not run` } : { ok: true, path: cached, version };
}
