import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Agents, sendOnce } from './transport.ts';
import { TransportError } from './transport-error.ts';
import { TEST_TLS_CERT, TEST_TLS_KEY } from './test-support/tls.ts';

const servers: Server[] = [];
const agents = new Agents();

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const loopback = [{ address: '127.0.0.1', family: 4 as const }];

describe('sendOnce', () => {
  it('connects to the checked address, never resolving the host name itself', async () => {
    let seen: IncomingHttpHeaders = {};
    const port = await listen(
      createHttpServer((request, response) => {
        seen = request.headers;
        response.end('{"ok":true}');
      }),
    );
    // .invalid never resolves (RFC 6761): the request can only arrive through the pinned address.
    const url = new URL(`http://model.invalid:${port}/v2/health/ready?k=1`);
    const response = await sendOnce({ method: 'GET', url, headers: { 'x-test': 'yes' }, timeoutMs: 2000, maxResponseBytes: 1000, addresses: loopback }, agents);
    expect(response).toMatchObject({ status: 200, text: '{"ok":true}' });
    expect(seen.host).toBe(`model.invalid:${port}`);
    expect(seen['x-test']).toBe('yes');
  });

  it('verifies TLS certificates against the host name', async () => {
    const port = await listen(createHttpsServer({ key: TEST_TLS_KEY, cert: TEST_TLS_CERT }, (_request, response) => response.end('{}')) as unknown as Server);
    const error = await sendOnce(
      { method: 'GET', url: new URL(`https://localhost:${port}/`), headers: {}, timeoutMs: 2000, maxResponseBytes: 1000, addresses: loopback },
      agents,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).kind).toBe('tls');
    expect((error as TransportError).retryable).toBe(false);
    expect((error as Error).message).toMatch(/self-signed|SELF_SIGNED/i);
  });

  it('refuses answers larger than the limit', async () => {
    const port = await listen(createHttpServer((_request, response) => response.end('x'.repeat(5000))));
    const error = await sendOnce(
      { method: 'GET', url: new URL(`http://127.0.0.1:${port}/`), headers: {}, timeoutMs: 2000, maxResponseBytes: 1000, addresses: loopback },
      agents,
    ).catch((e: unknown) => e);
    expect((error as TransportError).kind).toBe('too-large');
  });
});
