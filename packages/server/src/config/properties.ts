// The subset of Java's properties format that LittleHorse configuration files use:
// KEY=VALUE or KEY: VALUE per line, '#' and '!' comments, blank lines, trailing-backslash
// continuations.
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      i++;
      line = line.slice(0, -1) + (lines[i] ?? '').trim();
    }
    const sep = line.search(/[=:]/);
    if (sep === -1) {
      out[line] = '';
      continue;
    }
    out[line.slice(0, sep).trim()] = line.slice(sep + 1).trim();
  }
  return out;
}
