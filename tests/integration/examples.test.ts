// Runs every program under examples/ as a child process against one real server, and checks its
// exit code and the outcome it prints. The examples run concurrently: the cron one waits for
// the next minute boundary (up to ~70 s), the others take seconds.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { NODE_24, REPO_ROOT, startServer, type ServerProcess } from '../harness/server-process.ts';
import { describeResult, runProgram, type ProgramResult } from '../compat/run-program.ts';

const EXAMPLE_TIMEOUT_MS = 120_000;
const CRON_TIMEOUT_MS = 150_000;

interface Example {
  readonly name: string;
  readonly timeoutMs: number;
  /** Lines the example must print (each a regular expression over one line). */
  readonly expect: readonly RegExp[];
}

const EXAMPLES: readonly Example[] = [
  {
    name: 'saga',
    timeoutMs: EXAMPLE_TIMEOUT_MS,
    expect: [
      /^trip lisbon-\w+ \(fail at nothing\): COMPLETED; payment=PAY-lisbon-\w+; undone: nothing$/,
      /^trip oslo-(\w+) \(fail at hotel\): EXCEPTION; payment=null; undone: cancel-flight\(FL-oslo-\1\)$/,
      /^trip rome-(\w+) \(fail at card\): EXCEPTION; payment=null; undone: cancel-hotel\(HT-rome-\1\), cancel-flight\(FL-rome-\1\)$/,
      /^SAGA OK/,
    ],
  },
  {
    name: 'approval',
    timeoutMs: EXAMPLE_TIMEOUT_MS,
    expect: [
      /^expense 5000: escalated to -\/finance-managers \(UNASSIGNED\)$/,
      /^expense 5000: paid 5000; history: assigned jane\/finance -> assigned -\/finance-managers -> assigned mike\/finance-managers -> completed$/,
      /^expense 80: rejected 80: personal purchase; history: assigned jane\/finance -> .*completed$/,
      /^APPROVAL OK/,
    ],
  },
  {
    name: 'fan-out',
    timeoutMs: EXAMPLE_TIMEOUT_MS,
    expect: [
      /^5 child threads \(numbers 1, 2, 3, 4, 5\), all COMPLETED$/,
      /^quotes: (?=.*acme=118)(?=.*globex=159)(?=.*initech=161)(?=.*umbrella=176)(?=.*hooli=154)/,
      /^total: 768; cheapest: acme at 118$/,
      /^FAN-OUT OK/,
    ],
  },
  {
    name: 'parent-child',
    timeoutMs: EXAMPLE_TIMEOUT_MS,
    expect: [
      /^parent (\w+): COMPLETED$/,
      /^child \w+_\w+ \(example-shipping\): COMPLETED$/,
      /^tracking from the child: TRK-ADA-3; mailed TRK-ADA-3 to ada$/,
      /^PARENT-CHILD OK/,
    ],
  },
  {
    name: 'cron',
    timeoutMs: CRON_TIMEOUT_MS,
    expect: [
      /^WfRun \w+ started at \d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z: COMPLETED; report batch-\w+ built at /,
      /^CRON OK/,
    ],
  },
];

describe('examples/ against a real server', () => {
  let server: ServerProcess;
  const results = new Map<string, Promise<ProgramResult>>();

  before(async () => {
    server = await startServer();
    // Start them all at once, so the cron example's wait overlaps the others.
    for (const ex of EXAMPLES) {
      const env: NodeJS.ProcessEnv = { ...process.env, LHC_API_HOST: 'localhost', LHC_API_PORT: String(server.port) };
      delete env['NODE_TEST_CONTEXT'];
      results.set(ex.name, runProgram(NODE_24, [path.join(REPO_ROOT, 'examples', ex.name, 'index.ts')], { cwd: REPO_ROOT, env, timeoutMs: ex.timeoutMs }));
    }
  });

  after(async () => {
    await Promise.allSettled(results.values());
    await server?.stop();
  });

  for (const ex of EXAMPLES) {
    test(`examples/${ex.name} exits 0 and prints its outcome`, { timeout: ex.timeoutMs + 30_000 }, async () => {
      const pending = results.get(ex.name);
      assert.ok(pending !== undefined, `examples/${ex.name} was not started`);
      const r = await pending;
      const what = `examples/${ex.name}`;
      assert.equal(r.code, 0, `${describeResult(what, r)}\n--- server log tail ---\n${server.logs().slice(-8_000)}`);
      const lines = r.stdout.split('\n');
      for (const pattern of ex.expect) {
        assert.ok(lines.some((l) => pattern.test(l)), `${what} printed no line matching ${String(pattern)}\n${describeResult(what, r)}`);
      }
    });
  }
});
