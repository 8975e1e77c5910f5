import { readFileSync } from 'node:fs';

const MAX_PROPERTIES_BYTES = 1024 * 1024;

/**
 * Parses the Java-properties subset used by LittleHorse config files: one KEY=VALUE (or
 * KEY: VALUE) per line, `#` and `!` start comments, blank lines are ignored, whitespace
 * around keys and values is trimmed. Later keys win. Line continuations and escapes are
 * not used by any LittleHorse setting and are not interpreted.
 */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const sep = line.search(/[=:]/);
    if (sep <= 0) continue;
    const key = line.slice(0, sep).trim();
    const value = line.slice(sep + 1).trim();
    if (key !== '') out.set(key, value);
  }
  return out;
}

export function readPropertiesFile(path: string): Map<string, string> {
  const buf = readFileSync(path);
  if (buf.byteLength > MAX_PROPERTIES_BYTES) {
    throw new Error(`config file ${path} is larger than ${MAX_PROPERTIES_BYTES} bytes`);
  }
  return parseProperties(buf.toString('utf8'));
}
