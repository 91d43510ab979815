// One HTTP server for the dashboard: /api/trpc goes to the tRPC API, everything else to Next.js.
// Running Next as a request handler inside our process (rather than `next start`) lets the API
// share the platform's database pool, queue client and adapter registry, and lets one command
// start the whole platform.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { incomingMessageToRequest } from '@trpc/server/adapters/node-http';

export const API_PREFIX = '/api/trpc';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** Largest request body the API accepts (model uploads travel as multipart bodies). */
export const MAX_BODY_BYTES = 512 * 1024 * 1024;

async function sendFetchResponse(response: Response, res: ServerResponse): Promise<void> {
  res.statusCode = response.status;
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  if (!response.body) {
    res.end();
    return;
  }
  await new Promise<void>((resolvePromise, reject) => {
    Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>).on('error', reject).pipe(res).on('finish', resolvePromise).on('error', reject);
  });
}

export function createPlatformServer(options: { api: (request: Request) => Promise<Response>; next: NodeHandler; log: (line: string) => void }): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const work = async () => {
      if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) {
        const request = incomingMessageToRequest(req, res, { maxBodySize: MAX_BODY_BYTES });
        await sendFetchResponse(await options.api(request), res);
        return;
      }
      await options.next(req, res);
    };
    work().catch((error: unknown) => {
      options.log(`${req.method ?? 'GET'} ${path}: ${(error as Error).message}`);
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end('internal error');
      } else {
        res.destroy();
      }
    });
  });
}

export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  return (server.address() as AddressInfo).port;
}
