// The public contract must stay wire-identical to LittleHorse 1.2: this test compiles
// proto/littlehorse with buf, reduces every message, enum and rpc to the facts that decide the
// wire format (names, numbers, types, labels, oneofs, presence, streaming), and compares a digest
// of them with the digest recorded when the contract was verified field by field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO = path.resolve(import.meta.dirname, '../..');
const VERIFIED_DIGEST = '0e5503e0ee19af62b43569ab4bc424c99e43344dfc19acf0ab46db8b0bfc174b';

interface Field { name: string; number: number; label: string; type: string; typeName?: string; oneofIndex?: number; proto3Optional?: boolean }
interface Message { name: string; field?: Field[]; nestedType?: Message[]; enumType?: Enum[]; oneofDecl?: Array<{ name: string }> }
interface Enum { name: string; value: Array<{ name: string; number?: number }> }
interface Method { name: string; inputType: string; outputType: string; clientStreaming?: boolean; serverStreaming?: boolean }
interface File { name: string; package: string; messageType?: Message[]; enumType?: Enum[]; service?: Array<{ name: string; method: Method[] }> }

export function wireFacts(image: { file: File[] }): string[] {
  const facts: string[] = [];
  const message = (m: Message, scope: string): void => {
    const name = `${scope}.${m.name}`;
    for (const f of m.field ?? []) {
      const oneof = f.oneofIndex !== undefined && !f.proto3Optional ? m.oneofDecl?.[f.oneofIndex]?.name : '';
      facts.push(`F ${name} ${f.number} ${f.name} ${f.label} ${f.type} ${f.typeName ?? ''} ${oneof} ${f.proto3Optional ? 'optional' : ''}`);
    }
    for (const n of m.nestedType ?? []) message(n, name);
    for (const e of m.enumType ?? []) enumeration(e, name);
  };
  const enumeration = (e: Enum, scope: string): void => {
    for (const v of e.value) facts.push(`E ${scope}.${e.name} ${v.number ?? 0} ${v.name}`);
  };
  for (const file of image.file) {
    if (file.name.startsWith('google/')) continue;
    for (const m of file.messageType ?? []) message(m, file.package);
    for (const e of file.enumType ?? []) enumeration(e, file.package);
    for (const s of file.service ?? []) {
      for (const r of s.method) facts.push(`R ${file.package}.${s.name}/${r.name} ${r.inputType} ${r.outputType} ${!!r.clientStreaming} ${!!r.serverStreaming}`);
    }
  }
  return facts.sort();
}

test('proto/littlehorse is wire-identical to the verified LittleHorse 1.2 contract', () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'filly-contract-')), 'image.json');
  execFileSync(path.join(REPO, 'node_modules/.bin/buf'), ['build', 'littlehorse', '--exclude-source-info', '-o', out], { cwd: path.join(REPO, 'proto') });
  const facts = wireFacts(JSON.parse(fs.readFileSync(out, 'utf8')) as { file: File[] });
  const rpcs = facts.filter((f) => f.startsWith('R littlehorse.LittleHorse/'));
  assert.equal(rpcs.length, 106, 'service LittleHorse declares 106 rpcs');
  const digest = createHash('sha256').update(facts.join('\n')).digest('hex');
  assert.equal(digest, VERIFIED_DIGEST, 'a wire-relevant fact of the contract changed');
});
