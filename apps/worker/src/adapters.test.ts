import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createAdapterRegistry, openModelRow } from './adapters.ts';
import type { WorkerContext } from './context.ts';

const here = dirname(fileURLToPath(import.meta.url));

describe('createAdapterRegistry', () => {
  it('has the built-in adapters and loads third-party ones named in configuration', async () => {
    const registry = await createAdapterRegistry(['./testing/plugin.ts'], here);
    expect(['tfjs', 'onnx', 'http', 'test-constant'].every((kind) => registry.has(kind))).toBe(true);

    const context = { registry, log: () => undefined, artifactsDir: here } as unknown as WorkerContext;
    const adapter = await openModelRow(context, { adapterKind: 'test-constant', config: { classes: 4 } });
    const out = await adapter.predict({ data: new Float32Array(2), shape: [2, 1] });
    expect(out.shape).toEqual([2, 4]);
    await adapter.dispose();
  });

  it('refuses a stored config the adapter schema rejects, and a plug-in that does not load', async () => {
    const registry = await createAdapterRegistry(['./testing/plugin.ts'], here);
    const context = { registry, log: () => undefined, artifactsDir: here } as unknown as WorkerContext;
    await expect(openModelRow(context, { adapterKind: 'test-constant', config: { classes: 1 } })).rejects.toThrow(/invalid config for adapter "test-constant"/);
    await expect(createAdapterRegistry(['./testing/no-such-plugin.ts'], here)).rejects.toThrow(/cannot load adapter plug-in/);
  });
});
