// Which fields make a new StructDef version incompatible with the previous one, by
// StructDefCompatibilityType:
// - NO_SCHEMA_UPDATES: any field of the new version that is not identical in the old one (a
//   field only removed is not reported, exactly as upstream compares).
// - FULLY_COMPATIBLE_SCHEMA_UPDATES: among required fields (no default, not nullable), one
//   removed, one whose type changed, or one added.
import { StructDefCompatibilityType, StructFieldDef, type InlineStructDef } from '@filly/proto';
import { canonicalJson } from '../wf-spec/canonical.ts';
import { isRequiredField } from './conform-value.ts';

function fieldText(f: StructFieldDef): string {
  return canonicalJson(StructFieldDef.toJSON(f));
}

export function sameInlineStructDef(a: InlineStructDef, b: InlineStructDef): boolean {
  const ka = Object.keys(a.fields).sort();
  const kb = Object.keys(b.fields).sort();
  if (ka.join('\u0000') !== kb.join('\u0000')) return false;
  return ka.every((k) => {
    const fa = a.fields[k];
    const fb = b.fields[k];
    return fa !== undefined && fb !== undefined && fieldText(fa) === fieldText(fb);
  });
}

/** Names of the offending fields, sorted; empty when the evolution is allowed. */
export function incompatibleFields(kind: StructDefCompatibilityType, next: InlineStructDef, prev: InlineStructDef): string[] {
  switch (kind) {
    case StructDefCompatibilityType.NO_SCHEMA_UPDATES:
      return Object.keys(next.fields).filter((name) => {
        const n = next.fields[name];
        const p = Object.hasOwn(prev.fields, name) ? prev.fields[name] : undefined;
        return n === undefined || p === undefined || fieldText(n) !== fieldText(p);
      }).sort();
    case StructDefCompatibilityType.FULLY_COMPATIBLE_SCHEMA_UPDATES:
      return fullyCompatibleBreaks(next, prev);
    default:
      return [];
  }
}

function requiredFields(def: InlineStructDef): Map<string, StructFieldDef> {
  const out = new Map<string, StructFieldDef>();
  for (const [name, f] of Object.entries(def.fields)) if (isRequiredField(f)) out.set(name, f);
  return out;
}

function fullyCompatibleBreaks(next: InlineStructDef, prev: InlineStructDef): string[] {
  const nextReq = requiredFields(next);
  const prevReq = requiredFields(prev);
  const out = new Set<string>();
  for (const [name, old] of prevReq) {
    const now = nextReq.get(name);
    if (now === undefined) out.add(name);
    else if (typeText(now) !== typeText(old)) out.add(name);
  }
  for (const name of nextReq.keys()) if (!prevReq.has(name)) out.add(name);
  return [...out].sort();
}

function typeText(f: StructFieldDef): string {
  return canonicalJson(StructFieldDef.toJSON({ fieldType: f.fieldType, isNullable: false }));
}
