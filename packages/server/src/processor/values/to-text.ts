/**
 * The STR rendering of a value: what upstream's `asStr()` produces (Java `toString()` of the
 * held object). Used by casts to STR, STR concatenation, IN on strings and format strings.
 */
import type { VariableValue } from '@filly/proto';
import { javaDoubleToString, javaToStringJsonTree, timestampTextFormat } from './java-text.ts';
import { jsonTreeOf } from './json.ts';
import { wfRunIdToString } from './wf-run-id.ts';

/** Java's `Long.toString` is plain decimal, which `bigint` already prints. */
export function toText(v: VariableValue | undefined): string {
  const val = v?.value;
  switch (val?.$case) {
    case undefined: return 'null';
    case 'str': return val.value;
    case 'int': return val.value.toString();
    case 'double': return javaDoubleToString(val.value);
    case 'bool': return val.value ? 'true' : 'false';
    case 'jsonObj':
    case 'jsonArr': return javaToStringJsonTree(jsonTreeOf(v as VariableValue));
    // Upstream prints a JVM identity hash here ("[B@1b2c3d"); base64 is our deterministic stand-in.
    case 'bytes': return Buffer.from(val.value).toString('base64');
    case 'wfRunId': return wfRunIdToString(val.value);
    case 'utcTimestamp': return timestampTextFormat(val.value);
    // Upstream prints identity hashes for these too; we print them like Java collections.
    case 'array': return `[${val.value.items.map(toText).join(', ')}]`;
    case 'map': return `{${val.value.entries.map((e) => `${toText(e.key)}=${toText(e.value)}`).join(', ')}}`;
    case 'struct': {
      const fields = val.value.struct?.fields ?? {};
      const parts = Object.keys(fields).sort().map((k) => `${k}=${toText(fields[k]?.value)}`);
      return `{${parts.join(', ')}}`;
    }
  }
}
