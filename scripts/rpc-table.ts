// Prints the README's compatibility table: every rpc of service littlehorse.LittleHorse and
// whether this version serves it. `node scripts/rpc-table.ts --check` fails when README.md
// disagrees with the code.
import fs from 'node:fs';
import path from 'node:path';
import { allRpcNames, implementedRpcNames } from '../packages/server/src/ingress/service.ts';

const BEGIN = '<!-- rpc-table:begin -->';
const END = '<!-- rpc-table:end -->';

export function rpcTable(): string {
  const served = new Set(implementedRpcNames());
  const rows = allRpcNames().map((n) => `| ${n} | ${served.has(n) ? 'implemented' : 'UNIMPLEMENTED'} |`);
  return [`${served.size} of ${allRpcNames().length} rpcs implemented.`, '', '| rpc | state |', '|---|---|', ...rows].join('\n');
}

const readmePath = path.resolve(import.meta.dirname, '../README.md');
const readme = fs.readFileSync(readmePath, 'utf8');
const start = readme.indexOf(BEGIN);
const end = readme.indexOf(END);
if (start === -1 || end === -1) throw new Error('README.md lacks the rpc-table markers');
const updated = `${readme.slice(0, start + BEGIN.length)}\n${rpcTable()}\n${readme.slice(end)}`;
if (process.argv.includes('--check')) {
  if (updated !== readme) {
    process.stderr.write('README.md compatibility table is stale: run `node scripts/rpc-table.ts`.\n');
    process.exit(1);
  }
} else {
  fs.writeFileSync(readmePath, updated);
}
