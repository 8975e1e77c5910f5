// The logging the engine needs; pino's Logger satisfies it.
export type LogFn = (fields: Record<string, unknown>, message: string) => void;

export interface EngineLogger {
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

/** Used when the caller gives no logger: problems still reach stderr. */
export const stderrLogger: EngineLogger = {
  info: () => undefined,
  warn: (fields, message) => console.error(JSON.stringify({ level: 'warn', message, ...fields })),
  error: (fields, message) => console.error(JSON.stringify({ level: 'error', message, ...fields }, errorReplacer)),
};

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return typeof value === 'bigint' ? value.toString() : value;
}
