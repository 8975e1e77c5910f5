// StructDefs and STRUCT values end to end against a real server process: registering and
// evolving a StructDef, a WfSpec whose variable and task take it, typed RunWf inputs, masked
// fields on reads, and a cast that fails at run time.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LHStatus,
  PutStructDefRequest,
  PutTaskDefRequest,
  StructDefCompatibilityType,
  ValidateStructDefEvolutionRequest,
  type ScheduledTask,
  type VariableValue,
} from '@filly/proto';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { codeOf, connect, type TestClient } from '../harness/grpc-client.ts';
import { startTestWorker, type TestWorker } from '../harness/test-worker.ts';
import { isTerminal, linearSpec, putTaskDef, taskNode, varDef, varRef, waitForWfRun } from '../harness/specs.ts';

const INVALID_ARGUMENT = 3;
const NOT_FOUND = 5;

const str = (s: string): VariableValue => ({ value: { $case: 'str', value: s } });
const int = (n: number): VariableValue => ({ value: { $case: 'int', value: BigInt(n) } });

function person(fields: Record<string, VariableValue>): VariableValue {
  const out: Record<string, { value: VariableValue; masked: boolean }> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = { value: v, masked: false };
  return { value: { $case: 'struct', value: { structDefId: { name: 'person', version: 0 }, struct: { fields: out } } } };
}

const personSchema = {
  fields: {
    name: { fieldType: { primitiveType: 'STR' } },
    age: { fieldType: { primitiveType: 'INT' } },
    ssn: { fieldType: { primitiveType: 'STR', masked: true }, isNullable: true },
  },
};

function fieldOf(v: VariableValue | undefined, name: string): VariableValue['value'] {
  return v?.value?.$case === 'struct' ? v.value.value.struct?.fields[name]?.value?.value : undefined;
}

describe('structs on an embedded server', () => {
  let server: ServerProcess;
  let client: TestClient;
  const workers: TestWorker[] = [];
  const greeted: ScheduledTask[] = [];

  before(async () => {
    server = await startServer();
    client = connect(server.address);
    const def = await client.call.putStructDef(PutStructDefRequest.fromJSON({ name: 'person', structDef: personSchema }));
    assert.deepEqual(def.id, { name: 'person', version: 0 });
    await client.call.putTaskDef(PutTaskDefRequest.fromJSON({
      name: 'greet-person',
      inputVars: [{ name: 'who', typeDef: { structDefId: { name: 'person', version: -1 } } }],
      returnType: { returnType: { primitiveType: 'STR' } },
    }));
    await putTaskDef(client, 'takes-int', [['n', 'INT']], 'INT');
    workers.push(startTestWorker(client, 'greet-person', (t) => {
      greeted.push(t);
      const name = fieldOf(t.variables[0]?.value, 'name');
      return { kind: 'success', output: str(`hello ${name?.$case === 'str' ? name.value : '?'}`) };
    }));
    workers.push(startTestWorker(client, 'takes-int', () => ({ kind: 'success', output: int(1) })));
    await client.call.putWfSpec(linearSpec('greet-struct', [['1-greet-person-TASK', taskNode('greet-person', [varRef('who')])]],
      [varDef('who', 'STR', { varDef: { name: 'who', typeDef: { structDefId: { name: 'person', version: -1 } } }, required: true })]));
  });

  after(async () => {
    for (const w of workers) w.stop();
    client?.close();
    await server?.stop();
  });

  test('GetStructDef reads a version and "latest"; an unknown one is NOT_FOUND', async () => {
    const latest = await client.call.getStructDef({ name: 'person', version: -1 });
    assert.equal(latest.id?.version, 0);
    assert.equal(latest.structDef?.fields['ssn']?.fieldType?.masked, true);
    assert.equal(await codeOf(client.call.getStructDef({ name: 'person', version: 7 })), NOT_FOUND);
  });

  test('the TaskDef input names the concrete StructDef version', async () => {
    const td = await client.call.getTaskDef({ name: 'greet-person' });
    assert.deepEqual(td.inputVars[0]?.typeDef?.definedType, { $case: 'structDefId', value: { name: 'person', version: 0 } });
  });

  test('a valid struct runs through the task, which receives it unmasked, and reads mask the masked field', async () => {
    const who = person({ name: str('Ada'), age: int(36), ssn: str('123-45-6789') });
    await client.call.runWf({ wfSpecName: 'greet-struct', id: 'struct-ok', variables: { who } });
    const done = await waitForWfRun(client, 'struct-ok', isTerminal);
    assert.equal(done.status, LHStatus.COMPLETED);
    const sent = greeted.find((t) => t.taskRunId?.wfRunId?.id === 'struct-ok');
    assert.deepEqual(fieldOf(sent?.variables[0]?.value, 'ssn'), { $case: 'str', value: '123-45-6789' });
    const variable = await client.call.getVariable({ wfRunId: { id: 'struct-ok' }, threadRunNumber: 0, name: 'who' });
    assert.deepEqual(fieldOf(variable.value, 'ssn'), { $case: 'str', value: '*****' });
    assert.deepEqual(fieldOf(variable.value, 'name'), { $case: 'str', value: 'Ada' });
    const tasks = await client.call.listTaskRuns({ wfRunId: { id: 'struct-ok' } });
    assert.deepEqual(fieldOf(tasks.results[0]?.inputVariables[0]?.value, 'ssn'), { $case: 'str', value: '*****' });
    const out = tasks.results[0]?.attempts[0]?.result;
    assert.deepEqual(out?.$case === 'output' ? out.value.value : undefined, { $case: 'str', value: 'hello Ada' });
  });

  test('a struct with a wrong field type is INVALID_ARGUMENT naming the field', async () => {
    const who = person({ name: str('Ada'), age: str('old') });
    await assert.rejects(client.call.runWf({ wfSpecName: 'greet-struct', id: 'struct-bad', variables: { who } }),
      (e: { code: number; details: string }) => e.code === INVALID_ARGUMENT && /Field 'age' is invalid/.test(e.details) && /expected type INT/.test(e.details));
    const missing = person({ name: str('Ada') });
    await assert.rejects(client.call.runWf({ wfSpecName: 'greet-struct', variables: { who: missing } }),
      (e: { code: number; details: string }) => e.code === INVALID_ARGUMENT && /Missing required field age/.test(e.details));
  });

  test('ValidateStructDefEvolution answers compatible and incompatible changes without writing', async () => {
    const withEmail = { fields: { ...personSchema.fields, email: { fieldType: { primitiveType: 'STR' }, isNullable: true } } };
    const withHeight = { fields: { ...personSchema.fields, height: { fieldType: { primitiveType: 'DOUBLE' } } } };
    const ask = (structDef: unknown, compatibilityType: string) => client.call.validateStructDefEvolution(
      ValidateStructDefEvolutionRequest.fromJSON({ structDefId: { name: 'person', version: -1 }, structDef, compatibilityType }));
    assert.equal((await ask(withEmail, 'FULLY_COMPATIBLE_SCHEMA_UPDATES')).isValid, true);
    assert.equal((await ask(withHeight, 'FULLY_COMPATIBLE_SCHEMA_UPDATES')).isValid, false);
    assert.equal((await ask(withEmail, 'NO_SCHEMA_UPDATES')).isValid, false);
    assert.equal((await client.call.getStructDef({ name: 'person', version: -1 })).id?.version, 0);
    await assert.rejects(client.call.putStructDef(PutStructDefRequest.fromJSON({ name: 'person', structDef: withHeight, allowedUpdates: 'FULLY_COMPATIBLE_SCHEMA_UPDATES' })),
      (e: { code: number; details: string }) => e.code === INVALID_ARGUMENT && /\[height\]/.test(e.details));
    const v1 = await client.call.putStructDef(PutStructDefRequest.fromJSON({
      name: 'other-person', structDef: personSchema, allowedUpdates: StructDefCompatibilityType.FULLY_COMPATIBLE_SCHEMA_UPDATES,
    }));
    assert.equal(v1.id?.version, 0);
  });

  test('a struct builder assembles the task input from variables and literals', async () => {
    const builder = { structBuilder: { structDefId: { name: 'person', version: -1 }, value: { fields: {
      name: { simpleValue: { variableName: 'n' } },
      age: { simpleValue: { literalValue: { int: 7 } } },
      ssn: { simpleValue: { literalValue: { str: 'x' } } },
    } } } };
    await client.call.putWfSpec(linearSpec('build-struct', [['1-greet-person-TASK', taskNode('greet-person', [builder])]], [varDef('n', 'STR')]));
    await client.call.runWf({ wfSpecName: 'build-struct', id: 'built-1', variables: { n: str('Bo') } });
    assert.equal((await waitForWfRun(client, 'built-1', isTerminal)).status, LHStatus.COMPLETED);
    const sent = greeted.find((t) => t.taskRunId?.wfRunId?.id === 'built-1');
    assert.deepEqual(fieldOf(sent?.variables[0]?.value, 'name'), { $case: 'str', value: 'Bo' });
    assert.deepEqual(fieldOf(sent?.variables[0]?.value, 'age'), { $case: 'int', value: 7n });
    const tasks = await client.call.listTaskRuns({ wfRunId: { id: 'built-1' } });
    assert.deepEqual(fieldOf(tasks.results[0]?.inputVariables[0]?.value, 'ssn'), { $case: 'str', value: '*****' });
    const incomplete = { structBuilder: { structDefId: { name: 'person', version: -1 }, value: { fields: { name: { simpleValue: { variableName: 'n' } } } } } };
    await assert.rejects(client.call.putWfSpec(linearSpec('build-bad', [['1-greet-person-TASK', taskNode('greet-person', [incomplete])]], [varDef('n', 'STR')])),
      (e: { code: number; details: string }) => e.code === INVALID_ARGUMENT && /Missing required field\(s\) for StructDef person\/00000: age/.test(e.details));
  });

  test('a cast that fails at run time fails the WfRun with VAR_SUB_ERROR', async () => {
    await client.call.putWfSpec(linearSpec('cast-fail', [['1-takes-int-TASK', taskNode('takes-int', [{ variableName: 'text', targetType: { primitiveType: 'INT' } }])]],
      [varDef('text', 'STR')]));
    await client.call.runWf({ wfSpecName: 'cast-fail', id: 'cast-1', variables: { text: str('not a number') } });
    const done = await waitForWfRun(client, 'cast-1', isTerminal);
    assert.equal(done.status, LHStatus.ERROR);
    const nodes = await client.call.listNodeRuns({ wfRunId: { id: 'cast-1' } });
    const failure = nodes.results.flatMap((n) => n.failures)[0];
    assert.equal(failure?.failureName, 'VAR_SUB_ERROR');
    assert.match(failure?.message ?? '', /Cannot parse 'not a number' as INT/);
  });
});
