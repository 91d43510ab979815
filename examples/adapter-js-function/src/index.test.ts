import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AdapterRegistry, fragilize, verify } from '@modelseal/core';
import { runAdapterConformance } from '@modelseal/core/testing';
import { adapterFactory } from './index.ts';

const fixture = fileURLToPath(new URL('../fixtures/nearest-centroid.js', import.meta.url));

// The same suite ModelSeal's own adapters pass.
runAdapterConformance('js-function plug-in', {
  create: () => adapterFactory.create({ module: fixture, maxBatchSize: 128 }),
  expectVjp: true,
  gradientTolerance: 1e-3,
  finiteDifferenceStep: 1e-3,
});

describe('js-function plug-in', () => {
  it('installs into a registry by package name and is found from a location', async () => {
    const registry = new AdapterRegistry();
    const loaded = await registry.loadPlugin('modelseal-adapter-js-function', { from: import.meta.url });
    expect(loaded.map((f) => f.kind)).toEqual(['js-function']);
    const adapter = await registry.createFromLocation(fixture);
    expect(adapter.describe().numClasses).toBe(4);
    await adapter.dispose();
  });

  it('validates its config through the registry with a clear message', async () => {
    const registry = new AdapterRegistry().register(adapterFactory);
    await expect(registry.create('js-function', { module: '' })).rejects.toThrow(/invalid config for adapter "js-function": module/);
  });

  it('says what is wrong with a module that exports no model', async () => {
    const bad = fileURLToPath(new URL('../package.json', import.meta.url));
    await expect(adapterFactory.create({ module: bad, maxBatchSize: 1 })).rejects.toMatchObject({ code: 'MODEL_LOAD' });
  });

  it('can be sealed and verified end to end', async () => {
    const adapter = await adapterFactory.create({ module: fixture, maxBatchSize: 128 });
    const inputs = { data: Float32Array.from({ length: 8 * 16 }, (_, i) => ((i * 37) % 100) / 100), shape: [8, 16] };
    const result = await fragilize({ adapter, inputs, maxIterations: 200 });
    const report = await verify({ adapter, inputs: result.inputs, labels: result.labels });
    expect(report.intact).toBe(true);
    await adapter.dispose();
  });
});
