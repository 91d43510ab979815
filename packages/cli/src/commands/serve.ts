import { serveModel } from '@modelseal/server';
import { createRegistry, openModel } from '../adapters.ts';

export interface ServeCommandOptions {
  readonly model: string;
  readonly port: number;
  readonly host: string;
  readonly name: string;
  readonly adapter?: string;
  readonly allowPrivate?: boolean;
  readonly plugin: string[];
}

/** Serves until SIGINT/SIGTERM, then finishes requests in flight and exits 0. */
export async function runServe(options: ServeCommandOptions): Promise<number> {
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const registry = await createRegistry(options.plugin);
  const adapter = await openModel(registry, options.model, {
    log,
    allowPrivate: options.allowPrivate ?? false,
    ...(options.adapter ? { adapterKind: options.adapter } : {}),
  });
  const server = await serveModel(adapter, { port: options.port, host: options.host, name: options.name, log });
  // The URL on stdout, alone, so scripts can capture it.
  process.stdout.write(`${server.modelUrl}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log('shutting down …');
  await server.close();
  await adapter.dispose();
  return 0;
}
