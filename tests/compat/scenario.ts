// What every client program does and prints, from the test's side: the expected summary and
// the expected shape of the WfSpec that the official builders produce (see README.md).
import assert from 'node:assert/strict';
import { PutWfSpecRequest } from '@filly/proto';

export const NAMES = ['ann', 'bartholomew', 'eve', 'maximilian', 'bo'] as const;
export const LONG_THRESHOLD = 12;

export function greet(name: string): string {
  return `hello, ${name}`;
}

export function countLetters(text: string): number {
  return [...text].filter((c) => /[A-Za-z]/.test(c)).length;
}

/** How many of `wfRuns` runs take the "long" branch, given the programs cycle through NAMES. */
export function expectedLongRuns(wfRuns: number): number {
  let n = 0;
  for (let i = 0; i < wfRuns; i++) {
    const name = NAMES[i % NAMES.length];
    assert.ok(name !== undefined);
    if (countLetters(greet(name)) > LONG_THRESHOLD) n++;
  }
  return n;
}

export interface Summary {
  readonly client: string;
  readonly version: string;
  readonly wfRuns: number;
  readonly taskRuns: number;
  readonly long: number;
  readonly short: number;
}

const SUMMARY_LINE = /^COMPAT OK client=(java|go|python)-(\S+) wfRuns=(\d+) taskRuns=(\d+) long=(\d+) short=(\d+) elapsedMs=\d+$/m;

export function parseSummary(stdout: string): Summary | undefined {
  const m = SUMMARY_LINE.exec(stdout);
  if (m === null) return undefined;
  const [, client, version, wfRuns, taskRuns, long, short] = m;
  if (client === undefined || version === undefined) return undefined;
  return { client, version, wfRuns: Number(wfRuns), taskRuns: Number(taskRuns), long: Number(long), short: Number(short) };
}

/**
 * Decodes a builder's PutWfSpecRequest JSON with our own generated code and returns it in a
 * canonical form (defaults dropped, the client's name prefix replaced by "<client>").
 */
export function canonicalWfSpec(json: string, client: string): unknown {
  const decoded = PutWfSpecRequest.fromJSON(JSON.parse(json));
  const text = JSON.stringify(PutWfSpecRequest.toJSON(decoded)).replaceAll(`${client}-compat-`, '<client>-compat-');
  return JSON.parse(text);
}

/** Checks the parts of the WfSpec that the server relies on to run the scenario. */
export function assertScenarioShape(json: string, client: string): void {
  const spec = PutWfSpecRequest.fromJSON(JSON.parse(json));
  assert.equal(spec.name, `${client}-compat-wf`);
  const thread = spec.threadSpecs[spec.entrypointThreadName];
  assert.ok(thread !== undefined, `entrypoint thread ${spec.entrypointThreadName} missing`);
  const nodeNames = Object.keys(thread.nodes).sort();
  assert.deepEqual(nodeNames, [
    '0-entrypoint-ENTRYPOINT',
    `1-${client}-compat-greet-TASK`,
    `2-${client}-compat-count-letters-TASK`,
    '3-nop-NOP',
    '4-nop-NOP',
    '5-exit-EXIT',
  ]);
  const vars = thread.variableDefs.map((v) => v.varDef?.name).sort();
  assert.deepEqual(vars, ['greeting', 'letters', 'name', 'verdict']);
  const branch = thread.nodes['3-nop-NOP'];
  assert.equal(branch?.outgoingEdges.length, 2, 'the condition node has an if edge and an else edge');
  assert.equal(branch?.outgoingEdges[0]?.edgeCondition?.$case, 'condition', 'the first edge carries the condition');
}
