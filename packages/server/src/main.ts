#!/usr/bin/env node
// Entry point: `filly-server [config.properties]`, or `filly-server --verify <stateDir>` to check
// a stopped server's log and store (verify-cli.ts). Settings come from LHS_* environment variables
// and the optional properties file. SIGTERM and SIGINT stop the server gracefully.
import { ConfigError, loadSettings, parseConfig } from './config/config.ts';
import { createLogger } from './logging.ts';
import { startServer } from './server.ts';

async function main(): Promise<void> {
  if (process.argv[2] === '--verify') {
    // Loaded only for this mode: the check runs offline, against a stopped server's data.
    const { runVerify } = await import('./verify-cli.ts');
    process.exit(await runVerify(process.argv.slice(3), process.env));
  }
  let config;
  try {
    config = parseConfig(loadSettings(process.argv.slice(2), process.env));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`filly: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  if (config.kafka) {
    log.info({ stateDir: config.stateDir, partitions: config.kafka.partitionCount, clusterId: config.kafka.clusterId, bootstrap: config.kafka.bootstrapServers }, 'starting Filly in kafka mode');
  } else {
    log.info({ stateDir: config.stateDir, partitions: config.partitionCount }, 'starting Filly in embedded mode');
  }
  const server = await startServer(config, log);
  log.info('ready');
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    server.stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`filly: failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
