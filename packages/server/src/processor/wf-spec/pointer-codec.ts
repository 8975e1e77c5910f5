// The codec of the "latest version" pointer records: each holds just the WfSpecId it points at.
import { WfSpecId } from '@filly/proto';
import type { RecordCodec } from '../context.ts';

export const wfSpecIdPointer: RecordCodec<WfSpecId> = {
  name: 'WfSpecIdPointer',
  encode: (value) => WfSpecId.encode(value).finish(),
  decode: (bytes) => WfSpecId.decode(bytes),
};
