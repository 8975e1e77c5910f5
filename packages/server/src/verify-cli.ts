// `filly-server --verify <stateDir> [config.properties]`: checks a stopped server's data directory
// (see engine/verify-store.ts). Partitions and limits come from the same LHS_* settings as the
// server's, so the replay runs exactly as the server would. Prints one JSON report; exit code 0
// when the log and the store agree, 1 when they do not or the log is damaged, 2 for bad usage.
import path from 'node:path';
import { ConfigError, loadSettings, parseConfig } from './config/config.ts';
import { verifyDataDir } from './engine/verify-store.ts';
import type { EngineLogger } from './engine/engine-logger.ts';

export async function runVerify(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [stateDir, ...rest] = args;
  if (stateDir === undefined || stateDir.startsWith('-')) {
    process.stderr.write('usage: filly-server --verify <stateDir> [config.properties]\n');
    return 2;
  }
  let config;
  try {
    config = parseConfig(loadSettings(rest, { ...env, LHS_STATE_DIR: stateDir }));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`filly: ${err.message}\n`);
    return 2;
  }
  const errors: string[] = [];
  const logger: EngineLogger = {
    info: () => undefined,
    warn: () => undefined,
    error: (_fields, message) => {
      errors.push(message);
    },
  };
  const report = await verifyDataDir({
    dataDir: path.join(config.stateDir, 'embedded'),
    partitionCount: config.partitionCount,
    limits: config.limits,
    logger,
  });
  process.stdout.write(`${JSON.stringify({ ...report, handlerErrors: errors.length })}\n`);
  return report.ok ? 0 : 1;
}
