import { describe, expect, it } from 'vitest';
import { AdapterRegistry, isModelSealError } from '@modelseal/core';
import defaultFactory, { adapterFactory, onnxAdapterFactory } from './index.ts';
import { onnxConfigSchema } from './config.ts';
import { fixturePath } from './testing/fixtures.ts';

describe('onnx adapter factory', () => {
  it('is exported the ways the registry looks for plug-ins', () => {
    expect(defaultFactory).toBe(onnxAdapterFactory);
    expect(adapterFactory).toBe(onnxAdapterFactory);
    expect(onnxAdapterFactory.kind).toBe('onnx');
  });

  it('claims local .onnx paths only', async () => {
    expect(await onnxAdapterFactory.matchesLocation!('models/net.onnx')).toBe(true);
    expect(await onnxAdapterFactory.matchesLocation!('/abs/NET.ONNX')).toBe(true);
    expect(await onnxAdapterFactory.matchesLocation!('models/model.json')).toBe(false);
    expect(await onnxAdapterFactory.matchesLocation!('https://example.test/net.onnx')).toBe(false);
    expect(onnxConfigSchema.parse(onnxAdapterFactory.configFromLocation!('net.onnx'))).toMatchObject({ path: 'net.onnx' });
  });

  it('fills defaults and documents every field for generated forms', () => {
    const config = onnxConfigSchema.parse({ path: 'm.onnx' });
    expect(config).toEqual({ path: 'm.onnx', outputKind: 'auto', valueRange: [0, 1], maxBatchSize: 100, executionProvider: 'auto' });
    for (const [name, field] of Object.entries(onnxConfigSchema.shape)) {
      expect(field.description, name).toBeTruthy();
    }
  });

  it('rejects invalid configs with INVALID_CONFIG', async () => {
    const registry = new AdapterRegistry().register(onnxAdapterFactory);
    for (const config of [{}, { path: 'm.onnx', valueRange: [1, 0] }, { path: 'm.onnx', maxBatchSize: 0 }, { path: 'm.onnx', executionProvider: 'tpu' }]) {
      const error = await registry.create('onnx', config).catch((e: unknown) => e);
      expect(isModelSealError(error) && error.code, JSON.stringify(config)).toBe('INVALID_CONFIG');
    }
    const direct = await onnxAdapterFactory.create({ path: 'm.onnx', threads: -1 } as never).catch((e: unknown) => e);
    expect(isModelSealError(direct) && direct.code).toBe('INVALID_CONFIG');
  });

  it('creates a working adapter through the registry, resolving paths against the context folder', async () => {
    const registry = new AdapterRegistry().register(onnxAdapterFactory);
    const lines: string[] = [];
    const adapter = await registry.create(
      'onnx',
      { path: 'cnn_mnist_probs.onnx', executionProvider: 'cpu', threads: 1 },
      { cwd: fixturePath(''), log: (line) => lines.push(line) },
    );
    try {
      expect(adapter.kind).toBe('onnx');
      expect(adapter.describe().runtime).toBe('onnxruntime-node 1.30.0 (cpu)');
      expect(lines.join('\n')).toContain('cnn_mnist_probs.onnx');
    } finally {
      await adapter.dispose();
    }
  });
});
