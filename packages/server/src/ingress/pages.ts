// Paging through a key range. The bookmark handed to callers is the last key returned; it is
// opaque to them and checked against the range when it comes back.
import type { RecordCodec } from '../processor/context.ts';
import { invalidArgument } from '../processor/api-error.ts';
import type { IngressDeps } from './deps.ts';

export interface Page<T> {
  results: T[];
  bookmark: Buffer | undefined;
}

/** The page size a caller asked for, within the configured bounds (0 or absent: the default). */
export function pageSizeOf(deps: IngressDeps, limit: number | undefined): number {
  const { defaultPageSize, maxPageSize } = deps.config.limits;
  if (limit !== undefined && limit < 0) throw invalidArgument(`'limit' must not be negative; got ${limit}.`);
  return Math.min(limit === undefined || limit === 0 ? defaultPageSize : limit, maxPageSize);
}

export const FOREIGN_BOOKMARK = "'bookmark' does not belong to this request; pass back the bookmark of the previous page unchanged.";

/** The key a page resumes after; a bookmark from another range is the caller's mistake. */
function afterKeyOf(bookmark: Uint8Array | undefined, prefix: string): string | undefined {
  if (bookmark === undefined || bookmark.length === 0) return undefined;
  const afterKey = Buffer.from(bookmark).toString('utf8');
  if (!afterKey.startsWith(prefix)) throw invalidArgument(FOREIGN_BOOKMARK);
  return afterKey;
}

export async function readPage<T>(
  deps: IngressDeps,
  codec: RecordCodec<T>,
  prefix: string,
  bookmark: Uint8Array | undefined,
  limit: number | undefined,
): Promise<Page<T>> {
  const pageSize = pageSizeOf(deps, limit);
  const afterKey = afterKeyOf(bookmark, prefix);
  // One extra record tells whether another page exists without a second read.
  const rows = await deps.engine.scan(codec, prefix, afterKey === undefined ? { limit: pageSize + 1 } : { afterKey, limit: pageSize + 1 });
  const more = rows.length > pageSize;
  const page = more ? rows.slice(0, pageSize) : rows;
  const last = page[page.length - 1];
  return { results: page.map((r) => r.value), bookmark: more && last ? Buffer.from(last.key, 'utf8') : undefined };
}

/** Records examined by one filtered page at most; a sparse match returns a short page and a bookmark. */
const MAX_SCANNED_PER_PAGE = 50_000;
const SCAN_CHUNK = 500;

/**
 * Like readPage, for searches that keep only some records of a key range and answer with an id
 * of each. Scans in chunks until the page is full, the range ends, or MAX_SCANNED_PER_PAGE
 * records were examined (then the bookmark resumes where the scan stopped).
 */
export async function readFilteredPage<T, R>(
  deps: IngressDeps,
  codec: RecordCodec<T>,
  prefix: string,
  bookmark: Uint8Array | undefined,
  limit: number | undefined,
  keep: (value: T) => boolean,
  toResult: (value: T) => R,
): Promise<{ results: R[]; bookmark: Buffer | undefined }> {
  const pageSize = pageSizeOf(deps, limit);
  let afterKey = afterKeyOf(bookmark, prefix);
  const results: R[] = [];
  let scanned = 0;
  let lastKey: string | undefined;
  while (scanned < MAX_SCANNED_PER_PAGE) {
    const rows = await deps.engine.scan(codec, prefix, afterKey === undefined ? { limit: SCAN_CHUNK } : { afterKey, limit: SCAN_CHUNK });
    for (const row of rows) {
      scanned += 1;
      if (!keep(row.value)) continue;
      // A match beyond a full page: there is more; resume after the last result returned.
      if (results.length === pageSize && lastKey !== undefined) return { results, bookmark: Buffer.from(lastKey, 'utf8') };
      results.push(toResult(row.value));
      lastKey = row.key;
    }
    const last = rows[rows.length - 1];
    if (rows.length < SCAN_CHUNK || last === undefined) return { results, bookmark: undefined };
    afterKey = last.key;
  }
  return { results, bookmark: afterKey === undefined ? undefined : Buffer.from(afterKey, 'utf8') };
}
