import { afterAll, describe, expect, it } from 'vitest';
import { AdapterRegistry, isModelSealError, type Tensor } from '@modelseal/core';
import { runAdapterConformance } from '@modelseal/core/testing';
import { serveModel } from '@modelseal/server';
import { createLinearAdapter } from '@modelseal/server/testing';
import { createHttpAdapter } from './adapter.ts';
import { ERROR_CODES } from './codes.ts';
import { httpAdapterFactory } from './factory.ts';

// A real model behind the real server: the adapter is tested end to end over a socket.
const local = createLinearAdapter();
const serverLog: string[] = [];
const server = await serveModel(local, { port: 0, name: 'linear', log: (line) => serverLog.push(line) });
const loopback = { allowHosts: ['127.0.0.1'] };

afterAll(async () => {
  await server.close();
});

function batch(rows: number, seed = 0): Tensor {
  const data = new Float32Array(rows * 12);
  for (let i = 0; i < data.length; i++) data[i] = Math.fround(Math.abs(Math.sin(i * 12.9898 + seed)) % 1);
  return { data, shape: [rows, 12] };
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

runAdapterConformance('http (oip-v2)', {
  create: () => createHttpAdapter({ url: server.modelUrl, ...loopback }),
  batchTolerance: 0,
});

runAdapterConformance('http (tfserving)', {
  create: () => createHttpAdapter({ url: `${server.url}/v1/models/linear`, inputShape: [12], numClasses: 3, ...loopback }),
  batchTolerance: 0,
});

describe('http adapter against a modelseal server', () => {
  it('reads the shapes from the metadata and predicts exactly what the local model predicts', async () => {
    const adapter = await createHttpAdapter({ url: server.modelUrl, ...loopback });
    try {
      expect(adapter.describe()).toMatchObject({ inputShape: [12], numClasses: 3, layout: 'flat', outputKind: 'probabilities' });
      expect(adapter.describe().runtime).toContain(server.modelUrl);
      const input = batch(7);
      const remote = await adapter.predict(input);
      expect(remote.shape).toEqual([7, 3]);
      expect(remote.data).toEqual((await local.predict(input)).data);
      expect(adapter.queryCount()).toBe(7);
      expect(adapter.requestCount()).toBe(1);
    } finally {
      await adapter.dispose();
    }
  });

  it('splits big batches into concurrent requests with the same result as one request', async () => {
    const whole = await createHttpAdapter({ url: server.modelUrl, ...loopback });
    const split = await createHttpAdapter({ url: server.modelUrl, maxBatchSize: 3, concurrency: 3, ...loopback });
    try {
      const input = batch(11, 3);
      const callsBefore = local.calls;
      const one = await whole.predict(input);
      const many = await split.predict(input);
      expect(many.data).toEqual(one.data);
      expect(split.requestCount()).toBe(4);
      expect(split.queryCount()).toBe(11);
      expect(local.calls - callsBefore).toBe(1 + 4);
    } finally {
      await whole.dispose();
      await split.dispose();
    }
  });

  it('round-trips TF Serving, reading shapes from its metadata when the config has none', async () => {
    const adapter = await createHttpAdapter({ url: `${server.url}/v1/models/linear/versions/1`, ...loopback });
    try {
      expect(adapter.describe()).toMatchObject({ inputShape: [12], numClasses: 3 });
      const input = batch(4, 9);
      expect((await adapter.predict(input)).data).toEqual((await local.predict(input)).data);
    } finally {
      await adapter.dispose();
    }
  });

  it('describes a flat remote input in the configured image shape', async () => {
    const adapter = await createHttpAdapter({ url: server.modelUrl, inputShape: [3, 2, 2], ...loopback });
    try {
      expect(adapter.describe()).toMatchObject({ inputShape: [3, 2, 2], layout: 'NCHW' });
      const input = batch(2, 1);
      const remote = await adapter.predict({ data: input.data, shape: [2, 3, 2, 2] });
      expect(remote.data).toEqual((await local.predict(input)).data);
    } finally {
      await adapter.dispose();
    }
  });

  it('refuses a predict that would exceed the query budget before sending anything', async () => {
    const adapter = await createHttpAdapter({ url: server.modelUrl, queryBudget: 10, ...loopback });
    try {
      await adapter.predict(batch(6));
      const callsBefore = local.calls;
      const error = await failure(adapter.predict(batch(6)));
      expect(error.code).toBe(ERROR_CODES.budget);
      expect(error.message).toMatch(/6 more samples.*exceed the query budget \(6 of 10 used\); nothing was sent/);
      expect(local.calls).toBe(callsBefore);
      expect(adapter.queryCount()).toBe(6);
      await adapter.predict(batch(4));
      expect(adapter.queryCount()).toBe(10);
    } finally {
      await adapter.dispose();
    }
  });

  it('rejects non-finite inputs, unknown models and contradictory configs with clear errors', async () => {
    const adapter = await createHttpAdapter({ url: server.modelUrl, ...loopback });
    try {
      const input = batch(2);
      input.data[13] = Number.NaN;
      expect((await failure(adapter.predict(input))).message).toMatch(/input sample 1 contains NaN/);
    } finally {
      await adapter.dispose();
    }
    const missing = await failure(createHttpAdapter({ url: `${server.url}/v2/models/other`, ...loopback }));
    expect(missing.message).toMatch(/\/v2\/models\/other answered 404 Not Found \(check the model name, version and URL\): model 'other' is not served here/);
    const classes = await failure(createHttpAdapter({ url: server.modelUrl, numClasses: 4, ...loopback }));
    expect(classes.message).toMatch(/numClasses is 4 in the config but the model's output has 3 classes/);
    const shape = await failure(createHttpAdapter({ url: server.modelUrl, inputShape: [5], ...loopback }));
    expect(shape.message).toMatch(/inputShape \[5\] in the config does not fit the model's input shape \[12\]/);
  });

  it('is found by the registry for http(s) locations, with defaults filled in', async () => {
    const registry = new AdapterRegistry().register(httpAdapterFactory);
    expect((await registry.resolveLocation('https://models.example.com/v2/models/m'))?.kind).toBe('http');
    expect(await registry.resolveLocation('./model.onnx')).toBeUndefined();
    expect(httpAdapterFactory.configFromLocation!('http://example.com/v1/models/m')).toMatchObject({
      url: 'http://example.com/v1/models/m',
      timeoutMs: 10_000,
      retries: 3,
      maxBatchSize: 64,
      concurrency: 2,
      allowPrivate: false,
    });
    const adapter = await registry.create('http', { url: server.modelUrl, allowPrivate: true });
    try {
      expect(adapter.describe().numClasses).toBe(3);
    } finally {
      await adapter.dispose();
    }
    await expect(registry.create('http', { url: server.modelUrl, timeoutMs: -1 })).rejects.toThrow(/timeoutMs/);
  });
});

describe('http adapter address guard (SSRF)', () => {
  const port = new URL(server.url).port;

  it('refuses loopback by default, explaining --allow-private, without sending a request', async () => {
    const before = serverLog.length;
    const error = await failure(createHttpAdapter({ url: server.modelUrl }));
    expect(error.code).toBe(ERROR_CODES.forbidden);
    expect(error.message).toContain(`refusing to connect to ${server.url}: 127.0.0.1 (loopback) is an internal address`);
    expect(error.message).toContain('--allow-private');
    expect(serverLog.length).toBe(before);
  });

  it.each([
    ['a host name that resolves to loopback', `http://localhost:${port}/v2/models/linear`, /localhost resolves to 127\.0\.0\.1 \(loopback\)/],
    ['the cloud metadata address', 'http://169.254.169.254/v2/models/m', /cloud metadata/],
    ['an IPv4-mapped IPv6 loopback', `http://[::ffff:127.0.0.1]:${port}/v2/models/linear`, /loopback, embedded in an IPv6 address/],
    ['IPv6 loopback', 'http://[::1]:1/v2/models/m', /::1 \(loopback\)/],
    ['the unspecified address', `http://0.0.0.0:${port}/v2/models/linear`, /unspecified/],
    ['a private address', 'http://10.1.2.3/v2/models/m', /10\.1\.2\.3 \(private\)/],
    ['a decimal-encoded loopback', `http://2130706433:${port}/v2/models/linear`, /127\.0\.0\.1 \(loopback\)/],
    ['a file URL', 'file:///etc/passwd', /scheme "file:" is not allowed/],
    ['a gopher URL', 'gopher://example.com/v2/models/m', /scheme "gopher:" is not allowed/],
  ])('refuses %s', async (_case, url, message) => {
    const error = await failure(createHttpAdapter({ url, retries: 0, timeoutMs: 500 }));
    expect(error.code).toBe(ERROR_CODES.forbidden);
    expect(error.message).toMatch(message);
  });

  it('refuses URLs with credentials without repeating them', async () => {
    const error = await failure(createHttpAdapter({ url: 'https://alice:hunter2@example.com/v2/models/m' }));
    expect(error.code).toBe(ERROR_CODES.forbidden);
    expect(error.message).toMatch(/embeds credentials.*"headers"/);
    expect(error.message).not.toContain('hunter2');
  });

  it('opens exactly the hosts in allowHosts', async () => {
    const byName = await createHttpAdapter({ url: `http://localhost:${port}/v2/models/linear`, allowHosts: ['LOCALHOST'] });
    await byName.dispose();
    const byRange = await createHttpAdapter({ url: server.modelUrl, allowHosts: ['127.0.0.0/30'] });
    await byRange.dispose();
    await failure(createHttpAdapter({ url: server.modelUrl, allowHosts: ['localhost'] }));
    await failure(createHttpAdapter({ url: `http://localhost:${port}/v2/models/linear`, allowHosts: ['127.0.0.2'] }));
    await failure(createHttpAdapter({ url: `http://127.0.0.2:${port}/v2/models/linear`, allowHosts: ['127.0.0.1'] }));
    const bad = await failure(createHttpAdapter({ url: server.modelUrl, allowHosts: ['http://127.0.0.1:8080'] }));
    expect(bad.message).toMatch(/allowHosts entry "http:\/\/127\.0\.0\.1:8080" is not a host name/);
  });
});
