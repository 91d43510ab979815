// `pnpm platform`: the whole platform from one command. With no DATABASE_URL it runs an
// embedded PostgreSQL in the data folder; --demo seeds a demo project on first start.
import { parseArgs } from 'node:util';
import { isModelSealError } from '@modelseal/core';
import { startPlatform } from './platform.ts';
import { seedDemo } from './seed.ts';

const USAGE = `usage: pnpm platform [--demo] [--port N] [--host H] [--data-dir DIR] [--no-worker]

  --demo         seed a demo project (MNIST model, trigger set, audits) on first start
  --port N       HTTP port (default $PORT or 3000)
  --host H       interface to listen on (default 127.0.0.1)
  --data-dir DIR embedded PostgreSQL, artifacts and generated secrets (default .modelseal/platform)
  --no-worker    do not run a worker in this process (run "pnpm worker" elsewhere)
  --allow-private-webhooks
                 let alert webhooks reach loopback/private addresses (local receivers)

environment: DATABASE_URL (use this PostgreSQL), MODELSEAL_ARTIFACT_KEY, MODELSEAL_SESSION_SECRET,
MODELSEAL_ADAPTER_PLUGINS, MODELSEAL_MODEL_ROOTS, MODELSEAL_VERBOSE (show PostgreSQL's log)`;

function fail(message: string): never {
  process.stderr.write(`modelseal: ${message}\n`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      demo: { type: 'boolean', default: false },
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string', default: '.modelseal/platform' },
      'no-worker': { type: 'boolean', default: false },
      'allow-private-webhooks': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`);
}
const args = parsed.values;
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const port = Number(args.port ?? process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, got "${args.port ?? process.env.PORT}"`);

const verbose = Boolean(process.env.MODELSEAL_VERBOSE);
// initdb and the server chatter on every start; keep the tail to show if starting fails.
const postgresTail: string[] = [];
const log = (line: string) => {
  if (!verbose && line.startsWith('[postgres]')) {
    postgresTail.push(line);
    if (postgresTail.length > 30) postgresTail.shift();
    return;
  }
  process.stderr.write(`${line}\n`);
};
let platform;
try {
  platform = await startPlatform({
    dataDir: args['data-dir'],
    databaseUrl: process.env.DATABASE_URL,
    port,
    host: args.host,
    worker: args['no-worker'] ? false : 'process',
    webhookAllowPrivate: args['allow-private-webhooks'] || ['1', 'true'].includes(process.env.MODELSEAL_WEBHOOK_ALLOW_PRIVATE ?? ''),
    plugins: (process.env.MODELSEAL_ADAPTER_PLUGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    log,
  });
} catch (error) {
  if (postgresTail.length > 0) process.stderr.write(`${postgresTail.join('\n')}\n`);
  fail(isModelSealError(error) ? error.message : `could not start: ${(error as Error).stack ?? String(error)}`);
}

let stopping = false;
const stop = (signal: string) => {
  if (stopping) process.exit(1);
  stopping = true;
  log(`${signal}: stopping (again to force)`);
  platform.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

if (args.demo) {
  try {
    const demo = await seedDemo(platform, { log });
    if (demo.created) log('demo data seeded');
    process.stdout.write(`\nModelSeal is running: ${platform.url}\n  sign in as ${demo.email} / ${demo.password}\n\n`);
  } catch (error) {
    log(`demo seeding failed: ${(error as Error).stack ?? String(error)}`);
    process.stdout.write(`\nModelSeal is running (without demo data): ${platform.url}\n\n`);
  }
} else {
  process.stdout.write(`\nModelSeal is running: ${platform.url}\n\n`);
}
