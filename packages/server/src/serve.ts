import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isModelSealError, ModelSealError, type ModelAdapter } from '@modelseal/core';
import packageJson from '../package.json' with { type: 'json' };
import { DEFAULT_MAX_BODY_BYTES, parseJson, readBody } from './body.ts';
import { HttpError } from './http-error.ts';
import { route, type RouteResult } from './routes.ts';
import { ServedModel } from './served-model.ts';

export interface ServeOptions {
  /** TCP port; 0 picks a free one (read it back from `url`). */
  readonly port: number;
  /** Interface to bind; the default keeps the model off the network. */
  readonly host?: string;
  /** Model name in the URL paths (`/v2/models/{name}`, `/v1/models/{name}`). */
  readonly name: string;
  readonly version?: string;
  /** Receives one line per request and every server-side failure. */
  readonly log?: (message: string) => void;
  /** Largest request body accepted, in bytes (default 64 MiB); larger ones get 413. */
  readonly maxBodyBytes?: number;
}

export interface ModelServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** The model's Open Inference Protocol URL, e.g. `http://127.0.0.1:8080/v2/models/mnist`. */
  readonly modelUrl: string;
  /** Stops accepting connections, lets requests in progress finish (up to 10 s), then closes every connection. */
  close(): Promise<void>;
}

const CLOSE_GRACE_MS = 10_000;

const PATH_SEGMENT = /^[^/:?#\s]+$/;

function validate(options: ServeOptions): void {
  const { port, name, version, maxBodyBytes } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ModelSealError('INVALID_ARGUMENT', `serveModel: port must be an integer from 0 to 65535, got ${port}`);
  }
  if (!PATH_SEGMENT.test(name)) {
    throw new ModelSealError('INVALID_ARGUMENT', `serveModel: model name ${JSON.stringify(name)} must be non-empty without "/", ":", "?", "#" or spaces`);
  }
  if (version !== undefined && !PATH_SEGMENT.test(version)) {
    throw new ModelSealError('INVALID_ARGUMENT', `serveModel: version ${JSON.stringify(version)} must be non-empty without "/", ":", "?", "#" or spaces`);
  }
  if (maxBodyBytes !== undefined && (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0)) {
    throw new ModelSealError('INVALID_ARGUMENT', `serveModel: maxBodyBytes must be a positive integer, got ${maxBodyBytes}`);
  }
}

function errorResult(error: unknown, log: ((message: string) => void) | undefined, where: string): RouteResult {
  if (error instanceof HttpError) return { status: error.status, body: { error: error.message } };
  const message = isModelSealError(error) ? error.message : `internal error: ${(error as Error)?.message ?? String(error)}`;
  log?.(`${where} failed: ${message}`);
  return { status: 500, body: { error: message } };
}

function send(response: ServerResponse, result: RouteResult): void {
  const payload = JSON.stringify(result.body);
  response.statusCode = result.status;
  response.setHeader('content-type', 'application/json');
  response.setHeader('content-length', Buffer.byteLength(payload));
  // The unread rest of an oversized body must not be parsed as the next request.
  if (result.status === 413) response.setHeader('connection', 'close');
  response.end(payload);
}

function formatUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Serves one adapter over the Open Inference Protocol v2 REST API and the
 * TensorFlow Serving REST API. Predictions run one at a time because adapters
 * are not re-entrant. The adapter stays owned by the caller (close() does not dispose it).
 */
export async function serveModel(adapter: ModelAdapter, options: ServeOptions): Promise<ModelServer> {
  validate(options);
  const host = options.host ?? '127.0.0.1';
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = options.log;
  const model = new ServedModel(adapter, options.name, options.version ?? '1');
  const pending = new Set<Promise<void>>();

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = Date.now();
    const method = request.method ?? 'GET';
    let pathname = request.url ?? '/';
    const controller = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) controller.abort(new Error('client disconnected'));
    });
    let result: RouteResult;
    try {
      pathname = new URL(pathname, 'http://server').pathname;
      result = await route(method, pathname, {
        model,
        serverVersion: packageJson.version,
        signal: controller.signal,
        body: async () => parseJson(await readBody(request, limit)),
      });
    } catch (error) {
      if (controller.signal.aborted) return;
      result = errorResult(error, log, `${method} ${pathname}`);
    }
    if (response.destroyed) return;
    send(response, result);
    const samples = result.samples !== undefined ? `, ${result.samples} samples` : '';
    log?.(`${method} ${pathname} ${result.status} (${Date.now() - started} ms${samples})`);
  };

  const server = createServer((request, response) => {
    const task = handle(request, response)
      .catch((error: unknown) => log?.(`${request.method} ${request.url} failed while answering: ${(error as Error)?.message ?? String(error)}`))
      .finally(() => pending.delete(task));
    pending.add(task);
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(new ModelSealError('INVALID_CONFIG', `cannot listen on ${formatUrl(host, options.port)}: ${error.message}`, { cause: error }));
    };
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (error) => log?.(`server error: ${error.message}`));

  const port = (server.address() as AddressInfo).port;
  const url = formatUrl(host, port);
  log?.(`serving model '${model.name}' (version ${model.version}) at ${url}/v2/models/${model.name} and ${url}/v1/models/${model.name}`);

  let closing: Promise<void> | undefined;
  return {
    url,
    modelUrl: `${url}/v2/models/${encodeURIComponent(model.name)}`,
    close: () => {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Requests in progress get a grace period; then their connections are cut, which cancels them.
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, CLOSE_GRACE_MS);
        });
        await Promise.race([Promise.allSettled([...pending]), grace]);
        clearTimeout(timer);
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
