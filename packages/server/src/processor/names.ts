// Which names the API accepts. Metadata names (TaskDef, WfSpec, ExternalEventDef, Tenant, WfRun
// ids) follow upstream's hostname-like rule, because clients and tools build URLs, topic names
// and ids out of them. Names that live only inside a spec (variables, nodes, threads) are freer:
// upstream does not restrict them, and existing workflows use underscores and camelCase.
import { invalidArgument } from './api-error.ts';

const METADATA_NAME = /^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$/;
// Inner names: visible characters only (no whitespace or control codes), bounded in length.
const INNER_NAME = /^[^\s\p{Cc}]+$/u;
export const MAX_NAME_LENGTH = 256;

export function isValidName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && METADATA_NAME.test(name);
}

export function isValidInnerName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAME_LENGTH && INNER_NAME.test(name);
}

/** Throws INVALID_ARGUMENT naming `field` unless `name` is a valid metadata name. */
export function requireValidName(name: string, field: string): void {
  if (isValidName(name)) return;
  throw invalidArgument(
    `${field} '${name}' is not a valid name: use letters, digits and '-', ` +
      `starting and ending with a letter or digit (at most ${MAX_NAME_LENGTH} characters).`,
  );
}

/** Throws INVALID_ARGUMENT naming `field` unless `name` is a valid variable, node or thread name. */
export function requireValidInnerName(name: string, field: string): void {
  if (isValidInnerName(name)) return;
  throw invalidArgument(
    `${field} '${name}' is not a valid name: it must be 1 to ${MAX_NAME_LENGTH} characters ` +
      `with no whitespace or control characters.`,
  );
}
