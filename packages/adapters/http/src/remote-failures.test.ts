import { afterEach, describe, expect, it } from 'vitest';
import { isModelSealError, type Tensor } from '@modelseal/core';
import { HttpAdapter } from './adapter.ts';
import { ERROR_CODES } from './codes.ts';
import type { HttpAdapterConfigInput } from './config.ts';
import { inferAnswer, requestRows, startFakeOip, type FakeOip, type FakeOipOptions } from './test-support/fake-oip.ts';

// Short backoff keeps the retry tests quick; the delays themselves are not asserted.
const fastBackoff = { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 60_000 };
const running: FakeOip[] = [];
const adapters: HttpAdapter[] = [];

afterEach(async () => {
  await Promise.all(adapters.splice(0).map((adapter) => adapter.dispose()));
  await Promise.all(running.splice(0).map((server) => server.close()));
});

async function start(options: FakeOipOptions): Promise<FakeOip> {
  const server = await startFakeOip(options);
  running.push(server);
  return server;
}

async function connect(server: FakeOip, config: Partial<HttpAdapterConfigInput> = {}, log?: (line: string) => void): Promise<HttpAdapter> {
  const adapter = await HttpAdapter.create(
    { url: server.url, allowHosts: ['127.0.0.1'], ...config },
    log ? { log } : undefined,
    { backoff: fastBackoff },
  );
  adapters.push(adapter);
  return adapter;
}

function batch(rows: number, features = 12): Tensor {
  return { data: new Float32Array(rows * features).fill(0.5), shape: [rows, features] };
}

async function failure(promise: Promise<unknown>): Promise<Error & { code: string }> {
  try {
    await promise;
  } catch (error) {
    expect(isModelSealError(error), String(error)).toBe(true);
    return error as Error & { code: string };
  }
  throw new Error('expected a ModelSealError');
}

describe('http adapter against misbehaving servers', () => {
  it('retries 503 answers and counts every attempt', async () => {
    const server = await start({ infer: (request, n) => (n <= 2 ? { status: 503, body: { error: 'busy' } } : inferAnswer(requestRows(request), [0.2, 0.3, 0.5])) });
    const adapter = await connect(server);
    const result = await adapter.predict(batch(2));
    expect(Array.from(result.data)).toEqual([0.2, 0.3, 0.5, 0.2, 0.3, 0.5].map(Math.fround));
    expect(server.inferRequests()).toHaveLength(3);
    expect(adapter.requestCount()).toBe(3);
    expect(adapter.queryCount()).toBe(6);
  });

  it('gives up after the configured retries and reports the last status', async () => {
    const server = await start({ infer: () => ({ status: 502, body: 'bad gateway' }) });
    const adapter = await connect(server, { retries: 2 });
    const error = await failure(adapter.predict(batch(1)));
    expect(error.code).toBe(ERROR_CODES.remote);
    expect(error.message).toBe(`POST ${server.url}/infer answered 502 Bad Gateway after 3 attempts: bad gateway`);
    expect(server.inferRequests()).toHaveLength(3);
  });

  it('does not wait for a Retry-After beyond its limit', async () => {
    const server = await start({ infer: () => ({ status: 429, headers: { 'retry-after': '3600' }, body: { error: 'quota' } }) });
    const adapter = await connect(server);
    const error = await failure(adapter.predict(batch(1)));
    expect(error.message).toMatch(/answered 429 Too Many Requests, Retry-After: 3600: quota/);
    expect(server.inferRequests()).toHaveLength(1);
  });

  it('does not retry client errors', async () => {
    const server = await start({ infer: () => ({ status: 400, body: { error: 'input shape is wrong' } }) });
    const adapter = await connect(server);
    expect((await failure(adapter.predict(batch(1)))).message).toMatch(/answered 400 Bad Request: input shape is wrong$/);
    expect(server.inferRequests()).toHaveLength(1);
  });

  it('sends no further chunks once one has failed', async () => {
    const server = await start({ infer: () => ({ status: 400, body: { error: 'no' } }) });
    const adapter = await connect(server, { maxBatchSize: 1, concurrency: 1 });
    await failure(adapter.predict(batch(5)));
    expect(server.inferRequests()).toHaveLength(1);
    expect(adapter.queryCount()).toBe(1);
  });

  it('times out a server that never answers, after retrying, naming the URL and the timeout', async () => {
    const server = await start({ infer: () => 'hang' });
    const adapter = await connect(server, { timeoutMs: 150, retries: 1 });
    const error = await failure(adapter.predict(batch(1)));
    expect(error.code).toBe(ERROR_CODES.timeout);
    expect(error.message).toBe(`POST ${server.url}/infer: no complete answer within 150 ms (timeoutMs) (gave up after 2 attempts)`);
    expect(server.inferRequests()).toHaveLength(2);
  });

  it('reports a refused connection after retrying', async () => {
    const server = await start({ infer: (request) => inferAnswer(requestRows(request), [0.5, 0.5, 0]) });
    const adapter = await connect(server, { retries: 1 });
    await server.close();
    const error = await failure(adapter.predict(batch(1)));
    expect(error.message).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/v2\/models\/fake\/infer: connection failed \(ECONNREFUSED\) \(gave up after 2 attempts\)$/);
  });

  it('stops a retry that would overrun the query budget', async () => {
    const server = await start({ infer: (request, n) => (n === 1 ? { status: 503 } : inferAnswer(requestRows(request), [0.5, 0.5, 0])) });
    const adapter = await connect(server, { queryBudget: 5 });
    const error = await failure(adapter.predict(batch(3)));
    expect(error.code).toBe(ERROR_CODES.budget);
    expect(server.inferRequests()).toHaveLength(1);
    expect(adapter.queryCount()).toBe(3);
  });

  it.each([
    ['NaN literals', '{"outputs":[{"name":"probabilities","shape":[1,3],"datatype":"FP32","data":[NaN,0.5,0.5]}]}', ERROR_CODES.nonFinite, /answered with NaN or Infinity values/],
    ['nulls for NaN', { outputs: [{ name: 'probabilities', shape: [1, 3], datatype: 'FP32', data: [0.5, null, 0.5] }] }, ERROR_CODES.nonFinite, /data\[1\] is null \(a NaN or Infinity written as JSON null\?\)/],
    ['strings for numbers', { outputs: [{ name: 'probabilities', shape: [1, 3], datatype: 'FP32', data: [0.5, '0.2', 0.3] }] }, ERROR_CODES.output, /data\[1\] should be a number, got the string "0\.2"/],
    ['an HTML page', '<!DOCTYPE html><html><body>Sign in</body></html>', ERROR_CODES.output, /answered with an HTML page instead of JSON.*Sign in/],
    ['a missing output', { outputs: [{ name: 'logits', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] }, ERROR_CODES.output, /response has no output 'probabilities' \(outputs: 'logits'\)/],
    ['a shape that does not match', { outputs: [{ name: 'probabilities', shape: [1, 2], datatype: 'FP32', data: [0.5, 0.5] }] }, ERROR_CODES.output, /response output 'probabilities' has shape \[1, 2\] but the request had 1 sample and the model has 3 classes/],
    ['fewer values than the shape', { outputs: [{ name: 'probabilities', shape: [1, 3], datatype: 'FP32', data: [0.5, 0.5] }] }, ERROR_CODES.output, /declares shape \[1, 3\] but carries 2 values/],
  ])('rejects an answer with %s', async (_case, body, code, message) => {
    const server = await start({ infer: () => ({ body, ...(typeof body === 'string' && body.startsWith('<') ? { headers: { 'content-type': 'text/html' } } : {}) }) });
    const adapter = await connect(server);
    const error = await failure(adapter.predict(batch(1)));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(server.url);
  });

  it('names the batch and class counts when the output shape is wrong', async () => {
    const server = await start({ numClasses: 10, infer: () => inferAnswer(3, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2]) });
    const adapter = await connect(server);
    const error = await failure(adapter.predict(batch(3)));
    expect(error.message).toBe(
      `POST ${server.url}/infer: response output 'probabilities' has shape [3, 9] but the request had 3 samples and the model has 10 classes`,
    );
  });

  it('detects logits from the first answer, applies softmax and keeps the decision', async () => {
    const lines: string[] = [];
    const server = await start({ infer: (request) => inferAnswer(requestRows(request), [2, -1, 0.5]) });
    const adapter = await connect(server, {}, (line) => lines.push(line));
    const result = await adapter.predict(batch(1));
    const z = Math.exp(2) + Math.exp(-1) + Math.exp(0.5);
    expect(Array.from(result.data)).toEqual([Math.exp(2) / z, Math.exp(-1) / z, Math.exp(0.5) / z].map(Math.fround));
    expect(adapter.describe().outputKind).toBe('logits');
    expect(lines.some((line) => line.includes('returns logits'))).toBe(true);
  });

  it('refuses answers that are not probabilities when told the model returns probabilities', async () => {
    const server = await start({ infer: (request) => inferAnswer(requestRows(request), [2, -1, 0.5]) });
    const adapter = await connect(server, { outputKind: 'probabilities' });
    expect((await failure(adapter.predict(batch(1)))).message).toMatch(/sample 0 is not a probability vector.*outputKind: "logits"/);
  });

  it('does not follow redirects', async () => {
    const server = await start({ infer: () => ({ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data' } }) });
    const adapter = await connect(server);
    const error = await failure(adapter.predict(batch(1)));
    expect(error.message).toMatch(/answered with a redirect \(302\) to http:\/\/169\.254\.169\.254\/latest\/meta-data; redirects are not followed/);
    expect(server.requests.filter((r) => r.path.includes('meta-data'))).toHaveLength(0);
  });

  it('sends the configured headers but never puts them in errors or logs', async () => {
    const secret = 'Bearer s3cret-token';
    const server = await start({ infer: () => ({ status: 401, body: { error: 'unauthorized' } }) });
    const lines: string[] = [];
    const adapter = await connect(server, { headers: { Authorization: secret } }, (line) => lines.push(line));
    const error = await failure(adapter.predict(batch(1)));
    expect(error.message).toMatch(/401 Unauthorized \(check the Authorization header in "headers"\)/);
    expect(server.inferRequests()[0]!.headers.authorization).toBe(secret);
    expect(JSON.stringify([error.message, adapter.describe(), lines])).not.toContain('s3cret');
  });

  it('fails to connect with a clear message when the server is not ready', async () => {
    const server = await start({ ready: false, infer: () => ({}) });
    const error = await failure(HttpAdapter.create({ url: server.url, allowHosts: ['127.0.0.1'], retries: 1 }, undefined, { backoff: fastBackoff }));
    expect(error.code).toBe(ERROR_CODES.load);
    expect(error.message).toMatch(/model server at http:\/\/127\.0\.0\.1:\d+ is not ready: GET .*\/v2\/health\/ready answered 503 Service Unavailable after 2 attempts: warming up/);
  });

  it('cancels requests in flight when the caller aborts', async () => {
    const server = await start({ infer: () => 'hang' });
    const adapter = await connect(server, { timeoutMs: 10_000 });
    const controller = new AbortController();
    const pending = adapter.predict(batch(1), { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect((await failure(pending)).code).toBe('ABORTED');
  });
});
