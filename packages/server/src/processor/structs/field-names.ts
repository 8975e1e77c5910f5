// StructDef field names are camelCase identifiers: a lowercase letter first, then letters and
// digits only. The reasons are spelled out one by one, as upstream does, so users can fix them.

/** Undefined when valid; else why not. */
export function fieldNameProblem(name: string): string | undefined {
  const first = name.charAt(0);
  if (name === '' || !/\p{L}/u.test(first)) return 'first character must be a letter';
  if (first !== first.toLowerCase()) return 'first letter must be lowercase';
  if (name.includes('_')) return 'cannot include underscores, must follow camelCase';
  if (!/^[a-zA-Z0-9]+$/.test(name)) return 'cannot include special characters, must be alphanumeric';
  return undefined;
}
