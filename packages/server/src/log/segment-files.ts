// Naming and listing of segment files. A segment is named after the offset of its first record,
// zero-padded so that directory order is log order.
import { mkdir, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const SEGMENT_NAME = /^(\d{20})\.log$/;

export interface SegmentFile {
  baseOffset: number;
  path: string;
}

export function segmentName(baseOffset: number): string {
  if (!Number.isSafeInteger(baseOffset) || baseOffset < 0) throw new Error(`bad segment base offset ${baseOffset}`);
  return `${String(baseOffset).padStart(20, '0')}.log`;
}

/** The segments of `dir` in log order. Stray '.log' files with other names refuse the open. */
export async function listSegments(dir: string): Promise<SegmentFile[]> {
  await mkdir(dir, { recursive: true });
  const segments: SegmentFile[] = [];
  for (const name of await readdir(dir)) {
    const m = SEGMENT_NAME.exec(name);
    if (!m) {
      if (name.endsWith('.log')) throw new Error(`unexpected file ${join(dir, name)} in the command log directory`);
      continue;
    }
    const baseOffset = Number(m[1]);
    if (!Number.isSafeInteger(baseOffset)) throw new Error(`segment ${name} has an offset beyond 2^53`);
    segments.push({ baseOffset, path: join(dir, name) });
  }
  segments.sort((a, b) => a.baseOffset - b.baseOffset);
  return segments;
}

/** Makes a file creation (or rename) in `dir` durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
