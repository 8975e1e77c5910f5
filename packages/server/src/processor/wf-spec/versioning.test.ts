import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AllowedUpdateType, PutWfSpecRequest, VariableType, WfRunVariableAccessLevel } from '@filly/proto';
import type { WfSpec } from '@filly/proto';
import { ApiError, Code } from '../api-error.ts';
import { buildCandidateWfSpec } from './build-wf-spec.ts';
import { decideVersion } from './versioning.ts';
import type { VersionDecision } from './versioning.ts';
import { EXIT, TASK, entryThread, intValue, literal, node, simpleRequest, varDef } from './spec-fixtures.ts';

const PUBLIC = WfRunVariableAccessLevel.PUBLIC_VAR;

function decide(req: PutWfSpecRequest, latest: WfSpec | undefined, allowed = AllowedUpdateType.ALL_UPDATES, nowMs = 1_000): VersionDecision {
  return decideVersion(buildCandidateWfSpec(req, nowMs), latest, allowed);
}

function stored(req: PutWfSpecRequest, latest?: WfSpec): WfSpec {
  const d = decide(req, latest);
  assert.equal(d.kind, 'new');
  if (d.kind !== 'new') throw new Error('unreachable');
  return d.spec;
}

const version = (s: WfSpec): string => `${s.id?.majorVersion}.${s.id?.revision}`;

test('the first version is 0.0 and freezes required entrypoint and public variables', () => {
  const req = simpleRequest();
  entryThread(req).variableDefs = [
    varDef('name', VariableType.STR, { required: true }),
    varDef('pub', VariableType.INT, { accessLevel: PUBLIC }),
    varDef('priv', VariableType.INT),
  ];
  const spec = stored(req);
  assert.equal(version(spec), '0.0');
  assert.deepEqual(spec.frozenVariables.map((v) => v.varDef?.name), ['name', 'pub']);
});

test('an identical spec returns the stored version, whatever the map order or time', () => {
  const v0 = stored(simpleRequest());
  const again = simpleRequest();
  const thread = entryThread(again);
  thread.nodes = Object.fromEntries(Object.entries(thread.nodes).reverse());
  const d = decide(again, v0, AllowedUpdateType.ALL_UPDATES, 99_000);
  assert.equal(d.kind, 'unchanged');
  assert.equal(d.kind === 'unchanged' && d.existing, v0);
});

test('old clients (deprecated VariableDef.type) and new ones register the same spec', () => {
  const v0 = stored(simpleRequest());
  const old = simpleRequest();
  entryThread(old).variableDefs = [varDef('name', VariableType.STR, { varDef: { name: 'name', type: VariableType.STR } })];
  assert.equal(decide(old, v0).kind, 'unchanged');
});

test('TASK timeout 0 is stored as the 60 s default', () => {
  const spec = stored(simpleRequest());
  const task = spec.threadSpecs['entrypoint']?.nodes[TASK]?.node;
  assert.ok(task?.$case === 'task');
  assert.equal(task.value.timeoutSeconds, 60);
});

test('a non-breaking change bumps the revision', () => {
  const v0 = stored(simpleRequest());
  const req = simpleRequest();
  entryThread(req).variableDefs.push(varDef('extra', VariableType.INT));
  const v1 = stored(req, v0);
  assert.equal(version(v1), '0.1');
  const req2 = simpleRequest();
  entryThread(req2).variableDefs.push(varDef('extra', VariableType.INT), varDef('more', VariableType.STR));
  assert.equal(version(stored(req2, v1)), '0.2');
});

test('breaking changes bump the major version and reset the revision', () => {
  const base = simpleRequest();
  entryThread(base).variableDefs.push(varDef('extra', VariableType.INT));
  const v0 = stored(base);
  const v01 = { ...v0, id: { name: 'hello', majorVersion: 0, revision: 3 } };

  const addPublic = simpleRequest();
  entryThread(addPublic).variableDefs.push(varDef('extra', VariableType.INT, { accessLevel: PUBLIC }));
  assert.equal(version(stored(addPublic, v01)), '1.0');

  const newRequired = simpleRequest();
  entryThread(newRequired).variableDefs = [varDef('name', VariableType.STR, { required: true }), varDef('extra', VariableType.INT)];
  assert.equal(version(stored(newRequired, v01)), '1.0');

  const returns = simpleRequest();
  entryThread(returns).variableDefs.push(varDef('extra', VariableType.INT));
  node(returns, EXIT).node = { $case: 'exit', value: { result: { $case: 'returnContent', value: literal(intValue(1)) } } };
  assert.equal(version(stored(returns, v01)), '1.0');
});

test('a formerly public variable keeps its type, and dropped ones stay frozen', () => {
  const req = simpleRequest();
  entryThread(req).variableDefs.push(varDef('pub', VariableType.INT, { accessLevel: PUBLIC }));
  const v0 = stored(req);

  const retyped = simpleRequest();
  entryThread(retyped).variableDefs.push(varDef('pub', VariableType.STR, { accessLevel: PUBLIC }));
  assert.throws(() => decide(retyped, v0), (e: unknown) => e instanceof ApiError && e.code === Code.INVALID_ARGUMENT && /'pub'.*INT/.test(e.message));

  const dropped = stored(simpleRequest(), v0);
  assert.equal(version(dropped), '1.0');
  assert.deepEqual(dropped.frozenVariables.map((v) => v.varDef?.name), ['pub']);
});

test('MINOR_REVISION_UPDATES refuses a breaking change but allows a revision', () => {
  const v0 = stored(simpleRequest());
  const breaking = simpleRequest();
  entryThread(breaking).variableDefs.push(varDef('pub', VariableType.INT, { accessLevel: PUBLIC }));
  assert.throws(() => decide(breaking, v0, AllowedUpdateType.MINOR_REVISION_UPDATES), (e: unknown) => e instanceof ApiError && e.code === Code.FAILED_PRECONDITION);
  const minor = simpleRequest();
  entryThread(minor).variableDefs.push(varDef('priv', VariableType.INT));
  const d = decide(minor, v0, AllowedUpdateType.MINOR_REVISION_UPDATES);
  assert.equal(d.kind === 'new' && version(d.spec), '0.1');
});

test('NO_UPDATES refuses any change to an existing spec, but not an identical one or a new name', () => {
  const v0 = stored(simpleRequest());
  const changed = simpleRequest();
  entryThread(changed).variableDefs.push(varDef('priv', VariableType.INT));
  assert.throws(() => decide(changed, v0, AllowedUpdateType.NO_UPDATES), (e: unknown) => e instanceof ApiError && e.code === Code.ALREADY_EXISTS);
  assert.equal(decide(simpleRequest(), v0, AllowedUpdateType.NO_UPDATES).kind, 'unchanged');
  assert.equal(decide(simpleRequest(), undefined, AllowedUpdateType.NO_UPDATES).kind, 'new');
});
