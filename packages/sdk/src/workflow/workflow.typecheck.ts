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
