// Structured logs (pino) to stdout. One logger for the process; modules take child loggers.
import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'filly' } });
}
