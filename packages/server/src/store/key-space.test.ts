import { test } from 'node:test';
import assert from 'node:assert/strict';
import { entityGroupPrefix, nodeRunKey, wfRunGroupPrefix } from './keys.ts';
import { groupPrefixOfKey } from './key-space.ts';

test('keys inside WfRun groups and entity groups map back to their group prefix', () => {
  const wfGroup = wfRunGroupPrefix(3, 'acme', { id: 'root' });
  const inWf = nodeRunKey(3, 'acme', { wfRunId: { id: 'kid', parentWfRunId: { id: 'root' } }, threadRunNumber: 2, position: 7 });
  assert.equal(groupPrefixOfKey(inWf), wfGroup);
  const entity = entityGroupPrefix(3, 'acme', 'correlation', 'order/42');
  assert.equal(entity, 'c/003/k/acme/correlation:order%2F42/');
  assert.equal(groupPrefixOfKey(`${entity}event/x`), entity);
  assert.equal(groupPrefixOfKey('c/003/t/000000000000001/x'), undefined, 'timers are in no group');
  assert.equal(groupPrefixOfKey('m/acme/taskdef/t'), undefined);
  assert.throws(() => entityGroupPrefix(3, 'acme', 'Bad Kind', 'k'), /bad entity kind/);
});
