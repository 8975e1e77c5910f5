// Questions the engine asks about a key's place in the layout of keys.ts: is it metadata, which
// WfRun group holds it, what does a scheduled-task key name.

export const METADATA_KEY_PREFIX = 'm/';
export const ENGINE_KEY_PREFIX = 's/';

export function isMetadataKey(key: string): boolean {
  return key.startsWith(METADATA_KEY_PREFIX);
}

/**
 * The group prefix of a key inside a group, else undefined: c/ppp/w/tenant/root/ for a WfRun
 * group, c/ppp/k/tenant/entity/ for an entity group (see keys.entityGroupPrefix).
 */
export function groupPrefixOfKey(key: string): string | undefined {
  if (!key.startsWith('c/')) return undefined;
  const afterPartition = key.indexOf('/', 2);
  if (afterPartition < 0 || !(key.startsWith('/w/', afterPartition) || key.startsWith('/k/', afterPartition))) return undefined;
  const afterTenant = key.indexOf('/', afterPartition + 3);
  if (afterTenant < 0) return undefined;
  const afterRoot = key.indexOf('/', afterTenant + 1);
  if (afterRoot < 0) return undefined;
  return key.slice(0, afterRoot + 1);
}

/** Reverses keys.ts esc(). */
export function unesc(component: string): string {
  if (component.indexOf('%') === -1) return component;
  return component.replace(/%2F/g, '/').replace(/%25/g, '%');
}

/** Tenant and TaskDef named by a key built with keys.scheduledTaskKey. */
export function parseScheduledTaskKey(key: string): { partition: number; tenant: string; taskDefName: string } {
  const parts = key.split('/');
  if (parts.length !== 7 || parts[0] !== 'c' || parts[2] !== 'q') throw new Error(`not a scheduled-task key: ${key}`);
  return { partition: Number(parts[1]), tenant: unesc(parts[3]!), taskDefName: unesc(parts[4]!) };
}

/** Due time encoded in a key built with keys.timerKey. */
export function dueMsOfTimerKey(key: string): number {
  const parts = key.split('/');
  if (parts.length !== 5 || parts[0] !== 'c' || parts[2] !== 't') throw new Error(`not a timer key: ${key}`);
  return Number(parts[3]);
}
