/**
 * Compile-time checks of the builder's typing: `tsc -p packages/sdk` fails if any line
 * marked @ts-expect-error stops being an error. Nothing here runs; the function is only
 * type-checked.
 */
import { defineTask } from '../worker/task-definition.ts';
import { Workflow } from './workflow.ts';

const greet = defineTask(
  { name: 'greet', input: { name: 'STR', times: 'INT' }, output: 'STR' },
  ({ name, times }) => {
    const n: string = name;
    const t: number = times;
    // @ts-expect-error an INT input is a number, not a string
    const wrong: string = times;
    return `${n}${t}${wrong}`;
  },
);

const scale = defineTask({ name: 'scale', input: { factor: 'DOUBLE', data: 'JSON_OBJ' }, output: 'DOUBLE' }, () => 1.5);

const noOutput = defineTask({ name: 'log-it', input: { line: 'STR' } }, () => undefined);

// @ts-expect-error a STR task must return a string
defineTask({ name: 'bad', input: {}, output: 'STR' }, () => 42);

// @ts-expect-error the handler cannot read an input that is not declared
defineTask({ name: 'bad2', input: { a: 'STR' } }, ({ b }: { b: string }) => b);

export function typeChecks(): void {
  new Workflow('typing', (wf) => {
    const name = wf.declareStr('name');
    const count = wf.declareInt('count', 2);
    const ratio = wf.declareDouble('ratio');
    const flag = wf.declareBool('flag');
    const doc = wf.declareJsonObj('doc');

    wf.execute(greet, { name, times: count });
    wf.execute(greet, { name: 'literal', times: 3 });
    wf.execute(greet, { name: doc.jsonPath('$.name'), times: 1n });
    wf.execute(greet, { name: wf.format('{0}!', name), times: count });

    // @ts-expect-error passing a string where the task takes an INT
    wf.execute(greet, { name, times: 'three' });
    // @ts-expect-error passing a STR variable where the task takes an INT
    wf.execute(greet, { name, times: name });
    // @ts-expect-error passing an INT variable where the task takes a STR
    wf.execute(greet, { name: count, times: count });
    // @ts-expect-error a required argument is missing
    wf.execute(greet, { name });
    // @ts-expect-error a BOOL literal where the task takes a STR
    wf.execute(greet, { name: true, times: 1 });

    // An INT value widens to DOUBLE; a STR does not.
    wf.execute(scale, { factor: count, data: doc });
    wf.execute(scale, { factor: ratio, data: { a: 1 } });
    // @ts-expect-error STR variable into a DOUBLE input
    wf.execute(scale, { factor: name, data: doc });
    // @ts-expect-error STR variable into a JSON_OBJ input
    wf.execute(scale, { factor: 1, data: name });

    // Node outputs carry the task's output type.
    const greeting = wf.execute(greet, { name, times: 1 });
    wf.execute(greet, { name: greeting, times: 1 });
    const scaled = wf.execute(scale, { factor: 2, data: doc });
    // @ts-expect-error a DOUBLE output into a STR input
    wf.execute(greet, { name: scaled, times: 1 });
    const nothing = wf.execute(noOutput, { line: 'x' });
    // @ts-expect-error a task without output cannot feed an input
    wf.execute(noOutput, { line: nothing });

    // Typed mutations and comparisons.
    count.assign(5);
    ratio.assign(count);
    name.assign(greeting);
    // @ts-expect-error assigning a string to an INT variable
    count.assign('five');
    // @ts-expect-error comparing an INT variable with a string
    wf.doIf(count.isGreaterThan('3'), () => undefined);
    wf.doIf(flag, () => undefined);
    // @ts-expect-error doIf needs a BOOL condition, not a STR variable
    wf.doIf(name, () => undefined);
    // @ts-expect-error jsonPath only exists on JSON variables
    name.jsonPath('$.x');
    // @ts-expect-error sleepSeconds takes an INT
    wf.sleepSeconds('10');
  });
}

const remind = defineTask({ name: 'remind', input: { who: 'STR' } }, () => undefined);
const takeId = defineTask({ name: 'take-id', input: { id: 'WF_RUN_ID' } }, () => undefined);

export function featureTypeChecks(): void {
  new Workflow('features', (wf) => {
    const name = wf.declareStr('name');
    const count = wf.declareInt('count');
    const items = wf.declareJsonArr('items');
    const flag = wf.declareBool('flag');
    const car = wf.declareStruct('car', 'car');
    const ids = wf.declareArray('ids', 'INT');

    // Child threads: for-each needs a list; waits take spawned-thread handles.
    const child = wf.spawnThread('child', (c) => c.execute(noOutput, { line: 'x' }), { n: count });
    const each = wf.spawnThreadForEach(items, 'each', () => undefined);
    wf.spawnThreadForEach(ids, 'each-id', () => undefined);
    wf.waitForThreads(child).handleErrorOnChild('TIMEOUT', () => undefined);
    wf.waitForAnyOf(each);
    // @ts-expect-error spawnThreadForEach iterates a JSON_ARR or native Array, not a STR
    wf.spawnThreadForEach(name, 'bad', () => undefined);
    // @ts-expect-error waitForThreads takes spawned threads, not a variable
    wf.waitForThreads(count);

    // Failure handling: both call forms; error types by enum or name.
    const out = wf.execute(noOutput, { line: 'x' });
    wf.handleException(out, () => undefined);
    wf.handleException(out, 'my-exception', () => undefined);
    wf.handleError(out, 'VAR_SUB_ERROR', () => undefined);
    // @ts-expect-error not an LHErrorType name
    wf.handleError(out, 'NOT_AN_ERROR', () => undefined);
    // @ts-expect-error a handler is required
    wf.handleAnyFailure(out);

    // User tasks: ids are STR values; deadlines are INT; reminder arguments are typed.
    const ut = wf.assignUserTask('approve', name, 'group');
    wf.scheduleReminderTask(ut, 30, remind, { who: name });
    wf.execute(scale, { factor: 1, data: ut });
    // @ts-expect-error a user id is a STR, not an INT variable
    wf.assignUserTask('approve', count);
    // @ts-expect-error a reminder task argument of the wrong type
    wf.scheduleReminderTask(ut, 30, remind, { who: count });
    // @ts-expect-error a deadline is an INT
    wf.reassignUserTask(ut, null, 'g', 'soon');
    // @ts-expect-error deadline actions need a user task, not a task output
    wf.cancelUserTaskRunAfter(out, 5);
    // @ts-expect-error a user task's output is a JSON_OBJ, not a STR
    wf.execute(greet, { name: ut, times: 1 });

    // Events, conditions, child workflows.
    wf.waitForEvent('evt').withCorrelationId(name).registeredAs({ struct: 'car' });
    wf.waitForCondition(flag);
    wf.waitForCondition(count.isGreaterThan(2));
    const run = wf.runWf('child-spec', { count });
    wf.execute(takeId, { id: run });
    wf.waitForChildWf(run);
    // @ts-expect-error a correlation id is a STR value
    wf.waitForEvent('evt').withCorrelationId(count);
    // @ts-expect-error not a type name
    wf.waitForEvent('evt').registeredAs('NOPE');
    // @ts-expect-error waitForCondition needs a BOOL
    wf.waitForCondition(name);
    // @ts-expect-error a WfSpec named by an INT variable
    wf.runWf(count);
    // @ts-expect-error only a SpawnedChildWf can be waited for
    wf.waitForChildWf(out);

    // Structs and typed collections.
    car.assign(wf.buildStruct('car').put('make', name).put('engine', wf.buildInlineStruct().put('cc', 1600)));
    wf.execute(greet, { name: car.get('make'), times: ids.get(0) });
    // @ts-expect-error a struct is not a STR
    wf.execute(greet, { name: car, times: 1 });
    // @ts-expect-error a struct builder is not an INT
    wf.execute(greet, { name, times: wf.buildStruct('car') });
    // @ts-expect-error get() is not defined on a STR variable
    name.get('x');
    // @ts-expect-error native Map keys cannot be JSON
    wf.declareMap('bad', 'JSON_OBJ', 'INT');
  });
}
