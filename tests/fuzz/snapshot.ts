// A picture of everything stored that a client can see: every search, then every object found,
// then every list under each WfRun. Two pictures taken around a run of rejected calls must be
// equal. A failing read is part of the picture (its status code), not an error.
import type { TestClient } from '../harness/grpc-client.ts';

const MAX_OBJECTS = 500;

function stable(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
    return v;
  });
}

async function read(label: string, p: Promise<unknown>, out: string[]): Promise<unknown> {
  try {
    const value = await p;
    out.push(`${label} = ${stable(value)}`);
    return value;
  } catch (e) {
    out.push(`${label} ! ${(e as { code?: number }).code ?? String(e)}`);
    return undefined;
  }
}

type IdList = { results?: Array<Record<string, unknown>> } | undefined;
const results = (v: unknown): Array<Record<string, unknown>> => ((v as IdList)?.results ?? []).slice(0, MAX_OBJECTS);

export async function snapshotState(client: TestClient): Promise<string[]> {
  const c = client.call;
  const out: string[] = [];
  const limit = 1_000;
  await read('tenants', c.searchTenant({ limit, bookmark: undefined }), out);
  await read('principals', c.searchPrincipal({ limit, bookmark: undefined, earliestStart: undefined, latestStart: undefined, principalCriteria: undefined }), out);
  const taskDefs = results(await read('taskDefs', c.searchTaskDef({ limit, bookmark: undefined, prefix: undefined }), out));
  const eventDefs = results(await read('externalEventDefs', c.searchExternalEventDef({ limit, bookmark: undefined, prefix: undefined }), out));
  const wfSpecs = results(await read('wfSpecs', c.searchWfSpec({ limit, bookmark: undefined, wfSpecCriteria: undefined }), out));
  for (const id of taskDefs) await read(`taskDef ${stable(id)}`, c.getTaskDef(id as never), out);
  for (const id of eventDefs) await read(`externalEventDef ${stable(id)}`, c.getExternalEventDef(id as never), out);
  await read('workflowEventDef fuzz-wfevent', c.getWorkflowEventDef({ name: 'fuzz-wfevent' }), out);
  const specNames = new Set<string>();
  for (const id of wfSpecs) {
    await read(`wfSpec ${stable(id)}`, c.getWfSpec(id as never), out);
    if (typeof id['name'] === 'string') specNames.add(id['name']);
  }
  for (const name of [...specNames].sort()) {
    await read(`schedules of ${name}`, c.searchScheduledWfRun({ wfSpecName: name, majorVersion: undefined, revision: undefined }), out);
    const runs = results(await read(`wfRuns of ${name}`, c.searchWfRun({ wfSpecName: name, limit, variableFilters: [] } as never), out));
    for (const run of runs) {
      const wfRunId = run as never;
      await read(`wfRun ${stable(run)}`, c.getWfRun(wfRunId), out);
      await read(`nodeRuns ${stable(run)}`, c.listNodeRuns({ wfRunId, limit } as never), out);
      await read(`variables ${stable(run)}`, c.listVariables({ wfRunId, limit } as never), out);
      await read(`taskRuns ${stable(run)}`, c.listTaskRuns({ wfRunId, limit } as never), out);
      await read(`externalEvents ${stable(run)}`, c.listExternalEvents({ wfRunId, limit } as never), out);
      await read(`userTaskRuns ${stable(run)}`, c.listUserTaskRuns({ wfRunId, limit } as never), out);
      await read(`workflowEvents ${stable(run)}`, c.listWorkflowEvents({ wfRunId, limit } as never), out);
    }
  }
  return out;
}

/** The first lines that differ, for a readable failure. */
export function diffSnapshots(before: string[], after: string[], max = 10): string[] {
  const diffs: string[] = [];
  const n = Math.max(before.length, after.length);
  for (let i = 0; i < n && diffs.length < max; i++) {
    if (before[i] !== after[i]) diffs.push(`- ${(before[i] ?? '(none)').slice(0, 400)}\n+ ${(after[i] ?? '(none)').slice(0, 400)}`);
  }
  return diffs;
}
