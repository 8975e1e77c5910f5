// A booking saga: reserve a flight, reserve a hotel, charge the card. When a step fails with a
// business exception, its exception handler undoes the steps already done, newest first, and
// then fails the WfRun with `trip-cancelled`. Three trips show the three outcomes.
import { LHStatus } from '@filly/proto';
import { defineTask, LHTaskException, Workflow, type LittleHorseClient } from '@filly/sdk';
import { expect, runExample, statusName, variableOf, waitForWfRun, type Workers } from '../shared/example.ts';

/** What the compensation tasks undid, per trip, in the order they ran (printed at the end). */
const undone = new Map<string, string[]>();
const recordUndo = (trip: string, what: string): void => {
  undone.set(trip, [...(undone.get(trip) ?? []), what]);
};

// Each step takes `fail-at` so the demo can choose which step breaks.
const reserveFlight = defineTask({ name: 'saga-reserve-flight', input: { trip: 'STR', failAt: 'STR' }, output: 'STR' }, ({ trip }) => `FL-${trip}`);
const reserveHotel = defineTask({ name: 'saga-reserve-hotel', input: { trip: 'STR', failAt: 'STR' }, output: 'STR' }, ({ trip, failAt }) => {
  if (failAt === 'hotel') throw new LHTaskException('hotel-unavailable', `no room for ${trip}`);
  return `HT-${trip}`;
});
const chargeCard = defineTask({ name: 'saga-charge-card', input: { trip: 'STR', failAt: 'STR' }, output: 'STR' }, ({ trip, failAt }) => {
  if (failAt === 'card') throw new LHTaskException('card-declined', `card refused for ${trip}`);
  return `PAY-${trip}`;
});
const cancelFlight = defineTask({ name: 'saga-cancel-flight', input: { trip: 'STR', booking: 'STR' } }, ({ trip, booking }) => {
  recordUndo(trip, `cancel-flight(${booking})`);
});
const cancelHotel = defineTask({ name: 'saga-cancel-hotel', input: { trip: 'STR', booking: 'STR' } }, ({ trip, booking }) => {
  recordUndo(trip, `cancel-hotel(${booking})`);
});

const saga = new Workflow('example-saga', (wf) => {
  const trip = wf.declareStr('trip').required();
  const failAt = wf.declareStr('fail-at', 'nothing');
  const flight = wf.declareStr('flight');
  const hotel = wf.declareStr('hotel');
  const payment = wf.declareStr('payment');

  flight.assign(wf.execute(reserveFlight, { trip, failAt }));

  const hotelStep = wf.execute(reserveHotel, { trip, failAt });
  wf.handleException(hotelStep, 'hotel-unavailable', (undo) => {
    undo.execute(cancelFlight, { trip, booking: flight });
    undo.fail('trip-cancelled', 'no hotel: the flight was cancelled');
  });
  hotel.assign(hotelStep);

  const chargeStep = wf.execute(chargeCard, { trip, failAt });
  wf.handleException(chargeStep, 'card-declined', (undo) => {
    undo.execute(cancelHotel, { trip, booking: hotel });
    undo.execute(cancelFlight, { trip, booking: flight });
    undo.fail('trip-cancelled', 'card declined: hotel and flight were cancelled');
  });
  payment.assign(chargeStep);
});

interface Trip {
  readonly trip: string;
  readonly failAt: string;
  readonly status: LHStatus;
  readonly undone: readonly string[];
}

async function main(client: LittleHorseClient, workers: Workers): Promise<void> {
  await workers.start(reserveFlight, reserveHotel, chargeCard, cancelFlight, cancelHotel);
  await saga.register(client);

  const suffix = Date.now().toString(36);
  const trips: Trip[] = [
    { trip: `lisbon-${suffix}`, failAt: 'nothing', status: LHStatus.COMPLETED, undone: [] },
    { trip: `oslo-${suffix}`, failAt: 'hotel', status: LHStatus.EXCEPTION, undone: [`cancel-flight(FL-oslo-${suffix})`] },
    { trip: `rome-${suffix}`, failAt: 'card', status: LHStatus.EXCEPTION, undone: [`cancel-hotel(HT-rome-${suffix})`, `cancel-flight(FL-rome-${suffix})`] },
  ];
  for (const t of trips) {
    const started = await client.runWf({
      wfSpecName: saga.name,
      variables: { trip: { value: { $case: 'str', value: t.trip } }, 'fail-at': { value: { $case: 'str', value: t.failAt } } },
    });
    const id = started.id?.id ?? '';
    const run = await waitForWfRun(client, id);
    const did = undone.get(t.trip) ?? [];
    const payment = await variableOf(client, id, 'payment');
    console.log(`trip ${t.trip} (fail at ${t.failAt}): ${statusName(run.status)}; payment=${String(payment)}; undone: ${did.join(', ') || 'nothing'}`);
    expect(run.status === t.status, `trip ${t.trip} ended ${statusName(run.status)}, expected ${statusName(t.status)}`);
    expect(JSON.stringify(did) === JSON.stringify(t.undone), `trip ${t.trip} undid [${did.join(', ')}], expected [${t.undone.join(', ')}]`);
    if (t.status === LHStatus.EXCEPTION) {
      const failed = run.threadRuns.find((th) => th.number === 0);
      expect(failed?.errorMessage !== undefined, `trip ${t.trip}: the entrypoint thread has no error message`);
      console.log(`  entrypoint thread: ${statusName(failed.status)} "${failed.errorMessage}"`);
    }
  }
  console.log('SAGA OK: 1 trip booked, 2 trips compensated in reverse order');
}

runExample('saga', main);
