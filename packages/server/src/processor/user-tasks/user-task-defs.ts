// UserTaskDefs: the form a person fills in. Versioned by an integer: registering a definition
// that differs from the newest version makes the next version; an identical one returns the
// newest as it is. A pointer record names the newest version so lookups never scan.
import { UserTaskDef, VariableType } from '@filly/proto';
import type { PutUserTaskDefRequest, UserTaskField } from '@filly/proto';
import type { StateTx } from '../context.ts';
import { invalidArgument } from '../api-error.ts';
import { requireValidInnerName, requireValidName } from '../names.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { canonicalJson } from '../wf-spec/canonical.ts';

export const MAX_USER_TASK_FIELDS = 1_000;
/** Versions of one UserTaskDef examined when the newest one is deleted. */
const MAX_VERSIONS_SCANNED = 100_000;

export function userTaskDefByVersion(tx: StateTx, tenant: string, name: string, version: number): UserTaskDef | undefined {
  if (!Number.isSafeInteger(version) || version < 0) return undefined;
  return tx.get(Records.userTaskDef, keys.userTaskDefKey(tenant, name, version));
}

export function latestUserTaskDef(tx: StateTx, tenant: string, name: string): UserTaskDef | undefined {
  const id = tx.get(Records.userTaskDefPointer, keys.userTaskDefLatestKey(tenant, name));
  return id === undefined ? undefined : userTaskDefByVersion(tx, tenant, name, id.version);
}

/** A given version, or the newest when `version` is undefined. */
export function findUserTaskDef(tx: StateTx, tenant: string, name: string, version: number | undefined): UserTaskDef | undefined {
  return version === undefined ? latestUserTaskDef(tx, tenant, name) : userTaskDefByVersion(tx, tenant, name, version);
}

/** Validates the request and returns the definition it describes (version and time unset). */
export function userTaskDefOfRequest(req: PutUserTaskDefRequest): UserTaskDef {
  requireValidName(req.name, 'UserTaskDef name');
  const where = `UserTaskDef '${req.name}'`;
  if (req.fields.length > MAX_USER_TASK_FIELDS) {
    throw invalidArgument(`${where}: has ${req.fields.length} fields; at most ${MAX_USER_TASK_FIELDS} are allowed.`);
  }
  const seen = new Set<string>();
  req.fields.forEach((f, i) => {
    checkField(f, `${where} field ${i}`);
    if (seen.has(f.name)) throw invalidArgument(`${where}: field '${f.name}' is declared twice; field names must be unique.`);
    seen.add(f.name);
  });
  const def: UserTaskDef = { name: req.name, version: 0, fields: req.fields.map((f) => ({ ...f })), createdAt: undefined };
  if (req.description !== undefined) def.description = req.description;
  return def;
}

function checkField(f: UserTaskField, where: string): void {
  requireValidInnerName(f.name, `${where} name`);
  if (!isKnownType(f.type)) {
    throw invalidArgument(`${where} ('${f.name}'): unknown type ${f.type}; a field has one of the primitive VariableTypes.`);
  }
}

function isKnownType(t: VariableType): boolean {
  return Number.isInteger(t) && t >= 0 && t !== VariableType.UNRECOGNIZED && VariableType[t] !== undefined;
}

/** Same definition: everything but version and created_at. */
export function sameUserTaskDef(a: UserTaskDef, b: UserTaskDef): boolean {
  const strip = (d: UserTaskDef): string => canonicalJson(UserTaskDef.toJSON({ ...d, version: 0, createdAt: undefined }));
  return strip(a) === strip(b);
}

/** Stores `def` as a version and moves the latest pointer to it. */
export function storeUserTaskDef(tx: StateTx, tenant: string, def: UserTaskDef): void {
  tx.put(Records.userTaskDef, keys.userTaskDefKey(tenant, def.name, def.version), def);
  tx.put(Records.userTaskDefPointer, keys.userTaskDefLatestKey(tenant, def.name), { name: def.name, version: def.version });
}

/** Deletes one version; when it was the newest, the pointer falls back to the next newest. */
export function removeUserTaskDef(tx: StateTx, tenant: string, name: string, version: number): void {
  tx.delete(keys.userTaskDefKey(tenant, name, version));
  const pointerKey = keys.userTaskDefLatestKey(tenant, name);
  const latest = tx.get(Records.userTaskDefPointer, pointerKey);
  if (latest !== undefined && latest.version !== version) return;
  const rest = tx.scan(Records.userTaskDef, keys.userTaskDefVersionsPrefix(tenant, name));
  if (rest.length > MAX_VERSIONS_SCANNED) throw new Error(`more than ${MAX_VERSIONS_SCANNED} versions of UserTaskDef ${name}`);
  const newest = rest[rest.length - 1];
  if (newest === undefined) tx.delete(pointerKey);
  else tx.put(Records.userTaskDefPointer, pointerKey, { name, version: newest.value.version });
}
