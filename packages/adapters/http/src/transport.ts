import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { CheckedAddress } from './address-guard.ts';
import { TransportError } from './transport-error.ts';

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

export interface Attempt {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  /** Where to connect (Node tries them in turn); the host name still goes into the Host header and TLS server name. */
  readonly addresses: readonly CheckedAddress[];
  readonly signal?: AbortSignal;
}

/** Keep-alive connection pools, one per adapter, so that a batch of requests reuses sockets. */
export class Agents {
  readonly http = new HttpAgent({ keepAlive: true });
  readonly https = new HttpsAgent({ keepAlive: true });

  destroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

/** Answers every lookup with the checked addresses, so that Node never resolves the host name itself. */
function pinnedLookup(addresses: readonly CheckedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) return callback(null, addresses.map(({ address, family }) => ({ address, family })));
    const chosen = addresses.find(({ family }) => !options.family || family === options.family) ?? addresses[0]!;
    callback(null, chosen.address, chosen.family);
  };
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);

function classify(error: Error & { code?: string }): TransportError {
  if (error instanceof TransportError) return error;
  const code = error.code ?? '';
  if (CONNECTION_CODES.has(code) || error.message === 'socket hang up') {
    return new TransportError('connection', `connection failed (${code || error.message})`, { cause: error });
  }
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL')) {
    return new TransportError('tls', `TLS failed (${code}: ${error.message})`, { cause: error });
  }
  return new TransportError('connection', `request failed (${code || error.message})`, { cause: error });
}

/**
 * One HTTP exchange with node:http(s): global fetch cannot be told which address
 * to connect to, node:http can (the `lookup` option). Redirects are never
 * followed (node:http does not), and the timeout covers the whole exchange,
 * including a server that accepts the connection and then never answers.
 */
export function sendOnce(attempt: Attempt, agents: Agents): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    const { url } = attempt;
    const secure = url.protocol === 'https:';
    const headers: Record<string, string | number> = { accept: 'application/json', ...attempt.headers };
    if (attempt.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(attempt.body);
    }
    const request = (secure ? httpsRequest : httpRequest)({
      method: attempt.method,
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port === '' ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      headers,
      agent: secure ? agents.https : agents.http,
      lookup: pinnedLookup(attempt.addresses),
    });
    let settled = false;
    const finish = (error: TransportError | undefined, response?: RawResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      attempt.signal?.removeEventListener('abort', onAbort);
      if (error) {
        request.destroy();
        reject(error);
      } else {
        resolve(response!);
      }
    };
    const timer = setTimeout(
      () => finish(new TransportError('timeout', `no complete answer within ${attempt.timeoutMs} ms (timeoutMs)`)),
      attempt.timeoutMs,
    );
    const onAbort = (): void => finish(new TransportError('aborted', 'request was cancelled'));
    if (attempt.signal?.aborted) return onAbort();
    attempt.signal?.addEventListener('abort', onAbort, { once: true });

    request.on('error', (error) => finish(classify(error)));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > attempt.maxResponseBytes) {
          finish(new TransportError('too-large', `answer is larger than ${attempt.maxResponseBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', (error) => finish(classify(error)));
      response.on('aborted', () => finish(new TransportError('connection', 'connection closed before the answer was complete')));
      response.on('end', () => {
        finish(undefined, {
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    request.end(attempt.body);
  });
}
