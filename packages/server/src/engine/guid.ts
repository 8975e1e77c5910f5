// Ids a command creates: derived from its command_id and a counter, so replay recreates them.
import { createHash } from 'node:crypto';

export function derivedGuid(commandId: string, counter: number): string {
  return createHash('sha1').update(commandId).update('\u0000').update(String(counter)).digest('hex').slice(0, 32);
}
