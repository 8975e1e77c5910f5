// The request message types of every rpc, read from the .proto contract with protobufjs, so the
// fuzzer knows each field's number and type without hand-written knowledge of 106 messages.
import fs from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { LittleHorseService } from '@filly/proto';
import { REPO_ROOT } from '../harness/server-process.ts';

export interface RpcInfo {
  /** The generated client's method name, e.g. runWf. */
  method: string;
  /** The rpc's name in the contract, e.g. RunWf. */
  name: string;
  /** "/littlehorse.LittleHorse/RunWf". */
  path: string;
  requestType: protobuf.Type;
  streaming: boolean;
}

const PROTO_DIR = path.join(REPO_ROOT, 'proto', 'littlehorse');

export function loadRpcs(): RpcInfo[] {
  const root = new protobuf.Root();
  // Imports are relative to the proto folder; google/protobuf/* are protobufjs built-ins.
  root.resolvePath = (_origin, target) => (target.startsWith('google/') ? target : path.join(PROTO_DIR, path.basename(target)));
  const files = fs.readdirSync(PROTO_DIR).filter((f) => f.endsWith('.proto')).map((f) => path.join(PROTO_DIR, f));
  root.loadSync(files, { keepCase: true });
  root.resolveAll();
  const service = root.lookupService('littlehorse.LittleHorse');
  const out: RpcInfo[] = [];
  for (const [method, def] of Object.entries(LittleHorseService)) {
    const name = def.path.split('/').pop()!;
    const m = service.methods[name];
    if (!m || !m.resolvedRequestType) throw new Error(`rpc ${name} is in the generated service but not in service.proto`);
    out.push({ method, name, path: def.path, requestType: m.resolvedRequestType, streaming: def.requestStream || def.responseStream });
  }
  if (out.length < 50) throw new Error(`only ${out.length} rpcs found; the contract was not read correctly`);
  return out;
}
