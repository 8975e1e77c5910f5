// Fan-out / fan-in: one child thread per supplier (START_MULTIPLE_THREADS over a JSON_ARR
// input), each asking its supplier for a quote; WAIT_FOR_THREADS waits for all of them, and a
// last task picks the cheapest. The child threads hand their results back through variables of
// the parent thread, which they can read and mutate.
import { LHStatus } from '@filly/proto';
import { defineTask, Workflow, WorkflowThread, type LittleHorseClient } from '@filly/sdk';
import { expect, runExample, statusName, variableOf, waitForWfRun, type Workers } from '../shared/example.ts';

/** A made-up price: deterministic, so the example can check the result. */
function priceOf(supplier: string): number {
  let sum = 0;
  for (const ch of supplier) sum += ch.charCodeAt(0);
  return 100 + (sum % 97);
}

const getQuote = defineTask({ name: 'fan-out-get-quote', input: { supplier: 'STR' }, output: 'JSON_OBJ' }, ({ supplier }) => ({
  supplier,
  price: priceOf(supplier),
}));

const pickCheapest = defineTask({ name: 'fan-out-pick-cheapest', input: { quotes: 'JSON_ARR' }, output: 'STR' }, ({ quotes }) => {
  const sorted = (quotes as { supplier: string; price: number }[]).slice().sort((a, b) => a.price - b.price);
  const best = sorted[0];
  if (best === undefined) throw new Error('no quotes to choose from');
  return `${best.supplier} at ${best.price}`;
});

const quotes = new Workflow('example-fan-out', (wf) => {
  const suppliers = wf.declareJsonArr('suppliers').required();
  const collected = wf.declareJsonArr('quotes', []);
  const total = wf.declareInt('total', 0);
  const best = wf.declareStr('best');

  const perSupplier = wf.spawnThreadForEach(suppliers, 'ask-supplier', (child) => {
    const supplier = child.declareStr(WorkflowThread.HANDLER_INPUT_VAR);
    const quote = child.execute(getQuote, { supplier });
    // ADD on a JSON_ARR appends; both variables belong to the parent thread.
    collected.add(quote);
    total.add(quote.jsonPath('$.price'));
  });
  wf.waitForThreads(perSupplier);
  best.assign(wf.execute(pickCheapest, { quotes: collected }));
});

async function main(client: LittleHorseClient, workers: Workers): Promise<void> {
  await workers.start(getQuote, pickCheapest);
  await quotes.register(client);

  const suppliers = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
  const started = await client.runWf({
    wfSpecName: quotes.name,
    variables: { suppliers: { value: { $case: 'jsonArr', value: JSON.stringify(suppliers) } } },
  });
  const id = started.id?.id ?? '';
  const run = await waitForWfRun(client, id);
  expect(run.status === LHStatus.COMPLETED, `WfRun ${id} ended ${statusName(run.status)}`);

  const children = run.threadRuns.filter((t) => t.threadSpecName === 'ask-supplier');
  const collected = (await variableOf(client, id, 'quotes')) as { supplier: string; price: number }[];
  const total = await variableOf(client, id, 'total');
  const best = await variableOf(client, id, 'best');
  console.log(`${children.length} child threads (numbers ${children.map((t) => t.number).join(', ')}), all ${[...new Set(children.map((t) => statusName(t.status)))].join('/')}`);
  console.log(`quotes: ${collected.map((q) => `${q.supplier}=${q.price}`).join(', ')}`);
  console.log(`total: ${String(total)}; cheapest: ${String(best)}`);

  const prices = suppliers.map((s) => ({ supplier: s, price: priceOf(s) }));
  const cheapest = prices.slice().sort((a, b) => a.price - b.price)[0];
  expect(children.length === suppliers.length, `expected ${suppliers.length} child threads, got ${children.length}`);
  expect(children.every((t) => t.status === LHStatus.COMPLETED), 'a child thread did not complete');
  expect(collected.length === suppliers.length, `expected ${suppliers.length} quotes, got ${collected.length}`);
  expect(total === BigInt(prices.reduce((s, p) => s + p.price, 0)), `total ${String(total)} is not the sum of the prices`);
  expect(best === `${cheapest?.supplier} at ${cheapest?.price}`, `cheapest is ${String(best)}`);
  console.log(`FAN-OUT OK: ${suppliers.length} quotes gathered, cheapest ${String(best)}`);
}

runExample('fan-out', main);
