// Paging through a key range. The bookmark handed to callers is the last key returned; it is
// opaque to them and checked against the range when it comes back.
import type { RecordCodec } from '../processor/context.ts';
import { invalidArgument } from '../processor/api-error.ts';
import type { IngressDeps } from './deps.ts';

export interface Page<T> {
  results: T[];
  bookmark: Buffer | undefined;
}

export async function readPage<T>(
  deps: IngressDeps,
  codec: RecordCodec<T>,
  prefix: string,
  bookmark: Uint8Array | undefined,
  limit: number | undefined,
): Promise<Page<T>> {
  const { defaultPageSize, maxPageSize } = deps.config.limits;
  if (limit !== undefined && limit < 0) throw invalidArgument(`'limit' must not be negative; got ${limit}.`);
  const pageSize = Math.min(limit === undefined || limit === 0 ? defaultPageSize : limit, maxPageSize);
  let afterKey: string | undefined;
  if (bookmark !== undefined && bookmark.length > 0) {
    afterKey = Buffer.from(bookmark).toString('utf8');
    if (!afterKey.startsWith(prefix)) throw invalidArgument("'bookmark' does not belong to this request; pass back the bookmark of the previous page unchanged.");
  }
  // One extra record tells whether another page exists without a second read.
  const rows = await deps.engine.scan(codec, prefix, afterKey === undefined ? { limit: pageSize + 1 } : { afterKey, limit: pageSize + 1 });
  const more = rows.length > pageSize;
  const page = more ? rows.slice(0, pageSize) : rows;
  const last = page[page.length - 1];
  return { results: page.map((r) => r.value), bookmark: more && last ? Buffer.from(last.key, 'utf8') : undefined };
}
