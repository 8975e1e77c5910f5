// The official LittleHorse clients under test: how each one's program is built (once per test
// run, with downloads cached under ~/.m2, the Go module cache and <repo>/.cache) and run.
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../harness/server-process.ts';
import { describeResult, runProgram, type ProgramResult } from './run-program.ts';

export const LH_CLIENT_VERSION = '1.2.1';
const COMPAT_DIR = path.join(REPO_ROOT, 'tests', 'compat');
const CACHE_DIR = path.join(REPO_ROOT, '.cache');
const BUILD_TIMEOUT_MS = 15 * 60_000;
const GO_SDK_MODULE = 'github.com/littlehorse-enterprises/littlehorse';

export type ClientName = 'java' | 'go' | 'python';

/** How to start a built client program. */
export interface ClientProgram {
  readonly cmd: string;
  readonly args: readonly string[];
}

/** A build that could not happen for a reason outside our code (e.g. a registry refuses a package). */
export class ClientUnavailable extends Error {}

async function mustRun(what: string, cmd: string, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<ProgramResult> {
  const r = await runProgram(cmd, args, { cwd, env, timeoutMs: BUILD_TIMEOUT_MS });
  if (r.code !== 0) throw new Error(describeResult(what, r));
  return r;
}

async function buildJava(): Promise<ClientProgram> {
  const target = path.join(CACHE_DIR, 'compat-java', 'target');
  const args = ['-q', '-B', 'package', `-Dcompat.buildDir=${target}`];
  const cwd = path.join(COMPAT_DIR, 'java');
  // Offline first: once ~/.m2 holds everything, the build needs no network and takes seconds.
  const offline = await runProgram('mvn', ['-o', ...args], { cwd, timeoutMs: BUILD_TIMEOUT_MS });
  if (offline.code !== 0) await mustRun('mvn package (online)', 'mvn', args, cwd);
  const classpath = fs.readFileSync(path.join(target, 'classpath.txt'), 'utf8').trim();
  return { cmd: 'java', args: ['-cp', `${path.join(target, 'classes')}${path.delimiter}${classpath}`, 'dev.filly.compat.CompatMain'] };
}

async function buildGo(): Promise<ClientProgram> {
  // Build from a copy so `go mod tidy` never rewrites the checked-in go.mod/go.sum.
  const root = path.join(CACHE_DIR, 'compat-go');
  const src = path.join(root, 'src');
  fs.rmSync(src, { recursive: true, force: true });
  fs.mkdirSync(src, { recursive: true });
  for (const f of fs.readdirSync(path.join(COMPAT_DIR, 'go'))) {
    if (f.endsWith('.go') || f === 'go.mod' || f === 'go.sum') fs.copyFileSync(path.join(COMPAT_DIR, 'go', f), path.join(src, f));
  }
  const localSdk = process.env['FILLY_LH_GO_SDK_DIR'];
  if (localSdk !== undefined && localSdk !== '') {
    // A local checkout of the upstream repository at the tag, for when the module proxy refuses it.
    await mustRun('go mod edit -replace', 'go', ['mod', 'edit', `-replace=${GO_SDK_MODULE}=${path.resolve(localSdk)}`], src);
  } else {
    const dl = await runProgram('go', ['mod', 'download', `${GO_SDK_MODULE}@v${LH_CLIENT_VERSION}`], { cwd: src, timeoutMs: BUILD_TIMEOUT_MS });
    if (dl.code !== 0) {
      throw new ClientUnavailable(
        `the official Go SDK (${GO_SDK_MODULE}@v${LH_CLIENT_VERSION}) could not be downloaded from the Go module proxy ` +
        `(${dl.stderr.replace(/\s+/g, ' ').trim().slice(0, 400)}); set FILLY_LH_GO_SDK_DIR to a checkout of that tag to use a local copy`);
    }
  }
  await mustRun('go mod tidy', 'go', ['mod', 'tidy'], src);
  const bin = path.join(root, 'bin', 'compat-go');
  await mustRun('go build', 'go', ['build', '-o', bin, '.'], src);
  return { cmd: bin, args: [] };
}

async function buildPython(): Promise<ClientProgram> {
  const venv = path.join(CACHE_DIR, 'compat-py-venv');
  const python = path.join(venv, 'bin', 'python');
  if (!fs.existsSync(python)) await mustRun('python3 -m venv', 'python3', ['-m', 'venv', venv], REPO_ROOT);
  const show = await runProgram(python, ['-m', 'pip', 'show', 'littlehorse-client'], { timeoutMs: 60_000 });
  if (show.code !== 0 || !new RegExp(`^Version: ${LH_CLIENT_VERSION.replaceAll('.', '\\.')}$`, 'm').test(show.stdout)) {
    await mustRun('pip install littlehorse-client', python, ['-m', 'pip', 'install', '-q', `littlehorse-client==${LH_CLIENT_VERSION}`], REPO_ROOT);
  }
  return { cmd: python, args: [path.join(COMPAT_DIR, 'python', 'compat.py')] };
}

const builders: Record<ClientName, () => Promise<ClientProgram>> = { java: buildJava, go: buildGo, python: buildPython };
const builds = new Map<ClientName, Promise<ClientProgram>>();

/** Builds a client's program once per test process; later calls share the result. */
export function buildClient(name: ClientName): Promise<ClientProgram> {
  let p = builds.get(name);
  if (p === undefined) {
    p = builders[name]();
    builds.set(name, p);
  }
  return p;
}

/** Tools each client's build and run need on PATH. */
export const CLIENT_TOOLS: Record<ClientName, readonly string[]> = {
  java: ['java', 'mvn'],
  go: ['go'],
  python: ['python3'],
};

/** The environment for a client program: ours, without any LHC_/LHW_ settings the caller had. */
export function clientEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('LHC_') && !k.startsWith('LHW_') && k !== 'NODE_TEST_CONTEXT') env[k] = v;
  }
  return { ...env, ...extra };
}
