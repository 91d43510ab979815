import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelSealError, type ModelAdapter, type Tensor } from '@modelseal/core';
import { serveModel, type ModelServer } from './serve.ts';
import { createLinearAdapter } from './testing/linear-adapter.ts';

function inputs(rows: number, features = 12, offset = 0): Float32Array {
  const data = new Float32Array(rows * features);
  for (let i = 0; i < data.length; i++) data[i] = Math.fround(((i * 7919 + offset) % 1000) / 997);
  return data;
}

// Response bodies are probed field by field; typing every document would only restate the assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function call(url: string, init?: { method?: string; body?: unknown; raw?: string }): Promise<{ status: number; body: Json }> {
  const response = await fetch(url, {
    method: init?.method ?? (init?.body !== undefined || init?.raw !== undefined ? 'POST' : 'GET'),
    ...(init?.raw !== undefined ? { body: init.raw } : init?.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    headers: { 'content-type': 'application/json' },
  });
  return { status: response.status, body: await response.json() };
}

function inferBody(data: Float32Array, rows: number, extra: Record<string, unknown> = {}): unknown {
  return { inputs: [{ name: 'input', shape: [rows, 12], datatype: 'FP32', data: Array.from(data) }], ...extra };
}

describe('serveModel over a real socket', () => {
  const adapter = createLinearAdapter();
  const lines: string[] = [];
  let server: ModelServer;
  let base: string;

  beforeAll(async () => {
    server = await serveModel(adapter, { port: 0, name: 'linear', version: '3', log: (line) => lines.push(line) });
    base = server.url;
  });
  afterAll(async () => {
    await server.close();
  });

  it('binds to loopback by default and reports its URLs', () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.modelUrl).toBe(`${base}/v2/models/linear`);
    expect(lines[0]).toContain('/v2/models/linear');
  });

  it('answers the health, server metadata and model metadata endpoints', async () => {
    expect(await call(`${base}/v2/health/live`)).toEqual({ status: 200, body: { live: true } });
    expect(await call(`${base}/v2/health/ready`)).toEqual({ status: 200, body: { ready: true } });
    expect((await call(`${base}/v2`)).body).toMatchObject({ name: 'modelseal', extensions: [] });
    const expected = {
      name: 'linear',
      versions: ['3'],
      platform: 'modelseal',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 12] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }],
    };
    expect(await call(`${base}/v2/models/linear`)).toEqual({ status: 200, body: expected });
    expect(await call(`${base}/v2/models/linear/versions/3`)).toEqual({ status: 200, body: expected });
    expect(await call(`${base}/v2/models/linear/ready`)).toEqual({ status: 200, body: { name: 'linear', ready: true } });
  });

  it('infers exactly what the adapter predicts, for flat and nested data', async () => {
    const data = inputs(5);
    const local = await adapter.predict({ data, shape: [5, 12] });
    const flat = await call(`${base}/v2/models/linear/infer`, { body: inferBody(data, 5, { id: 'abc', outputs: [{ name: 'probabilities' }] }) });
    expect(flat.status).toBe(200);
    expect(flat.body).toMatchObject({ model_name: 'linear', model_version: '3', id: 'abc' });
    expect(flat.body.outputs[0]).toMatchObject({ name: 'probabilities', shape: [5, 3], datatype: 'FP32' });
    expect(Float32Array.from(flat.body.outputs[0].data)).toEqual(local.data);

    const nested = Array.from({ length: 5 }, (_, r) => Array.from(data.subarray(r * 12, (r + 1) * 12)));
    const viaVersion = await call(`${base}/v2/models/linear/versions/3/infer`, {
      body: { inputs: [{ name: 'x', shape: [5, 12], datatype: 'FP32', data: nested }] },
    });
    expect(viaVersion.status).toBe(200);
    expect(viaVersion.body.id).toBeUndefined();
    expect(Float32Array.from(viaVersion.body.outputs[0].data)).toEqual(local.data);
  });

  it.each([
    ['invalid JSON', { raw: '{"inputs": [' }, /not valid JSON/],
    ['a non-FP32 datatype', { body: { inputs: [{ name: 'input', shape: [1, 12], datatype: 'INT64', data: Array(12).fill(0) }] } }, /datatype "INT64".*"FP32"/],
    ['a wrong sample shape', { body: { inputs: [{ name: 'input', shape: [1, 11], datatype: 'FP32', data: Array(11).fill(0) }] } }, /shape \[1, 11\].*expects \[N, 12\]/],
    ['data that does not fill the shape', { body: { inputs: [{ name: 'input', shape: [2, 12], datatype: 'FP32', data: Array(12).fill(0) }] } }, /24 values.*has 12 values/],
    ['a non-numeric value', { body: { inputs: [{ name: 'input', shape: [1, 12], datatype: 'FP32', data: [...Array(11).fill(0), 'x'] }] } }, /data\[11\] must be a number/],
    ['ragged nested data', { body: { inputs: [{ name: 'input', shape: [2, 12], datatype: 'FP32', data: [Array(12).fill(0), Array(11).fill(0)] }] } }, /not rectangular/],
    ['a value outside the float32 range', { body: { inputs: [{ name: 'input', shape: [1, 12], datatype: 'FP32', data: [1e39, ...Array(11).fill(0)] }] } }, /holds 1e\+39 \(value 0\), which is outside the float32 range/],
    ['two inputs', { body: { inputs: [{}, {}] } }, /exactly one tensor/],
    ['an unknown requested output', { body: inferBody(inputs(1), 1, { outputs: [{ name: 'logits' }] }) }, /"logits" does not exist/],
  ])('answers 400 with a message for %s', async (_case, request, message) => {
    const response = await call(`${base}/v2/models/linear/infer`, request);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(message);
  });

  it('answers 404 for unknown models, versions and paths, and 405 for wrong methods', async () => {
    const unknown = await call(`${base}/v2/models/other/infer`, { body: inferBody(inputs(1), 1) });
    expect(unknown).toEqual({ status: 404, body: { error: "model 'other' is not served here (this server serves 'linear')" } });
    expect((await call(`${base}/v2/models/linear/versions/9`)).body.error).toMatch(/no version '9'/);
    expect((await call(`${base}/v1/models/other`)).status).toBe(404);
    expect((await call(`${base}/nope`)).status).toBe(404);
    const wrongMethod = await call(`${base}/v2/models/linear/infer`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body.error).toMatch(/allowed: POST/);
    expect((await call(`${base}/v1/models/linear:predict`)).status).toBe(405);
  });

  it('serves the TensorFlow Serving REST API', async () => {
    const data = inputs(3, 12, 5);
    const local = await adapter.predict({ data, shape: [3, 12] });
    const expected = [0, 1, 2].map((r) => Array.from(local.data.subarray(r * 3, r * 3 + 3)));
    const rows = [0, 1, 2].map((r) => Array.from(data.subarray(r * 12, (r + 1) * 12)));
    expect(await call(`${base}/v1/models/linear:predict`, { body: { instances: rows } })).toEqual({ status: 200, body: { predictions: expected } });
    const named = await call(`${base}/v1/models/linear/versions/3:predict`, { body: { instances: rows.map((input) => ({ input })) } });
    expect(named.body).toEqual({ predictions: expected });
    expect((await call(`${base}/v1/models/linear:predict`, { body: { inputs: rows } })).body).toEqual({ outputs: expected });
    const status = await call(`${base}/v1/models/linear`);
    expect(status.body.model_version_status[0]).toMatchObject({ version: '3', state: 'AVAILABLE' });
    const metadata = await call(`${base}/v1/models/linear/metadata`);
    const signature = metadata.body.metadata.signature_def.signature_def.serving_default;
    expect(signature.inputs.input.tensor_shape.dim.map((d: { size: string }) => d.size)).toEqual(['-1', '12']);
    expect(signature.outputs.probabilities.tensor_shape.dim.map((d: { size: string }) => d.size)).toEqual(['-1', '3']);
    const bad = await call(`${base}/v1/models/linear:predict`, { body: { instances: [[1, 2, 3]] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/instances\[0\] has shape \[3\].*\[12\]/);
  });
});

describe('serveModel limits and failures', () => {
  it('refuses bodies over the configured limit with 413', async () => {
    const server = await serveModel(createLinearAdapter(), { port: 0, name: 'm', maxBodyBytes: 1000 });
    try {
      const response = await call(`${server.url}/v2/models/m/infer`, { body: inferBody(inputs(20), 20) });
      expect(response.status).toBe(413);
      expect(response.body.error).toMatch(/limit of 1000 bytes/);
      const small = await call(`${server.url}/v2/models/m/infer`, { body: { inputs: [{ name: 'input', shape: [1, 12], datatype: 'FP32', data: Array(12).fill(0) }] } });
      expect(small.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('answers 500 with the adapter’s message when the model fails, and logs it', async () => {
    const broken: ModelAdapter = {
      ...createLinearAdapter(),
      predict: async () => {
        throw new ModelSealError('NON_FINITE', 'model produced NaN for sample 0');
      },
    };
    const lines: string[] = [];
    const server = await serveModel(broken, { port: 0, name: 'm', log: (line) => lines.push(line) });
    try {
      const response = await call(`${server.url}/v2/models/m/infer`, { body: inferBody(inputs(1), 1) });
      expect(response).toEqual({ status: 500, body: { error: 'model produced NaN for sample 0' } });
      expect(lines.some((line) => line.includes('failed: model produced NaN'))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('calls the adapter one request at a time and splits batches at its maxBatchSize', async () => {
    const inner = createLinearAdapter({ maxBatchSize: 2 });
    let active = 0;
    let maxActive = 0;
    const tracked: ModelAdapter = {
      ...inner,
      describe: () => inner.describe(),
      predict: async (batch: Tensor) => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        try {
          return await inner.predict(batch);
        } finally {
          active--;
        }
      },
    };
    const server = await serveModel(tracked, { port: 0, name: 'm' });
    try {
      const data = inputs(5);
      const responses = await Promise.all(
        Array.from({ length: 6 }, () => call(`${server.url}/v2/models/m/infer`, { body: inferBody(data, 5) })),
      );
      const local = await inner.predict({ data, shape: [5, 12] });
      for (const response of responses) {
        expect(response.status).toBe(200);
        expect(Float32Array.from(response.body.outputs[0].data)).toEqual(local.data);
      }
      expect(maxActive).toBe(1);
      expect(inner.calls).toBe(6 * 3 + 1);
    } finally {
      await server.close();
    }
  });

  it('lets a request in progress finish when closed', async () => {
    const inner = createLinearAdapter();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const slow: ModelAdapter = {
      ...inner,
      predict: async (batch: Tensor) => {
        entered();
        await gate;
        return inner.predict(batch);
      },
    };
    const server = await serveModel(slow, { port: 0, name: 'm' });
    const pending = call(`${server.url}/v2/models/m/infer`, { body: inferBody(inputs(1), 1) });
    await started;
    const closing = server.close();
    release();
    expect((await pending).status).toBe(200);
    await closing;
  });

  it('validates its options and stops listening on close', async () => {
    await expect(serveModel(createLinearAdapter(), { port: 0, name: 'a/b' })).rejects.toThrow(/model name "a\/b"/);
    await expect(serveModel(createLinearAdapter(), { port: 70000, name: 'm' })).rejects.toThrow(/port must be/);
    const server = await serveModel(createLinearAdapter(), { port: 0, name: 'm' });
    const taken = Number(new URL(server.url).port);
    await expect(serveModel(createLinearAdapter(), { port: taken, name: 'm' })).rejects.toThrow(/cannot listen on/);
    await server.close();
    await expect(fetch(`${server.url}/v2/health/live`)).rejects.toThrow();
  });
});
