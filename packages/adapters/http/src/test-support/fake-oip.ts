import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface FakeAnswer {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** Sent as is (a string) or as JSON. */
  readonly body?: unknown;
}

export interface FakeOipOptions {
  readonly inputShape?: readonly number[];
  readonly numClasses?: number;
  readonly ready?: boolean;
  /** The answer to the n-th infer request (n from 1), or 'hang' to accept it and never answer. */
  readonly infer: (request: SeenRequest, n: number) => FakeAnswer | 'hang';
}

export interface FakeOip {
  /** The model URL, http://127.0.0.1:PORT/v2/models/fake. */
  readonly url: string;
  readonly requests: SeenRequest[];
  readonly inferRequests: () => SeenRequest[];
  close(): Promise<void>;
}

/**
 * A scripted Open Inference Protocol server for failure cases (outages,
 * timeouts, malformed answers) that a well-behaved server never produces.
 */
export async function startFakeOip(options: FakeOipOptions): Promise<FakeOip> {
  const inputShape = options.inputShape ?? [12];
  const numClasses = options.numClasses ?? 3;
  const requests: SeenRequest[] = [];
  let inferCount = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const seen = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(seen);
      let answer: FakeAnswer | 'hang';
      if (seen.path === '/v2/health/ready') {
        answer = options.ready === false ? { status: 503, body: { error: 'warming up' } } : { body: { ready: true } };
      } else if (seen.path === '/v2/models/fake' && seen.method === 'GET') {
        answer = {
          body: {
            name: 'fake',
            versions: ['1'],
            platform: 'fake',
            inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, ...inputShape] }],
            outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, numClasses] }],
          },
        };
      } else if (seen.path === '/v2/models/fake/infer' && seen.method === 'POST') {
        answer = options.infer(seen, ++inferCount);
      } else {
        answer = { status: 404, body: { error: 'not found' } };
      }
      if (answer === 'hang') return;
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
      response.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
      response.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v2/models/fake`,
    requests,
    inferRequests: () => requests.filter((r) => r.path.endsWith('/infer')),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A well-formed infer answer for `rows` samples, every row `row`. */
export function inferAnswer(rows: number, row: readonly number[], name = 'probabilities'): FakeAnswer {
  return {
    body: {
      model_name: 'fake',
      outputs: [{ name, datatype: 'FP32', shape: [rows, row.length], data: Array.from({ length: rows }, () => row).flat() }],
    },
  };
}

/** Rows in the request's single input. */
export function requestRows(request: SeenRequest): number {
  return (JSON.parse(request.body) as { inputs: [{ shape: number[] }] }).inputs[0].shape[0]!;
}
