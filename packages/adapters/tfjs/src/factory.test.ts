import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AdapterRegistry } from '@modelseal/core';
import { tfjsAdapterFactory } from './factory.ts';
import defaultExport, { adapterFactory } from './index.ts';
import { saveTinyLayersModel } from './testing/fixtures.ts';

const root = await mkdtemp(path.join(tmpdir(), 'modelseal-tfjs-factory-'));
afterAll(() => rm(root, { recursive: true, force: true }));

describe('tfjsAdapterFactory', () => {
  it('fills defaults and rejects nonsense in configs', () => {
    const config = tfjsAdapterFactory.configSchema.parse({ path: 'm/model.json' });
    expect(config).toEqual({ path: 'm/model.json', backend: 'auto', outputKind: 'auto', layout: 'auto', maxBatchSize: 256 });
    expect(tfjsAdapterFactory.configSchema.safeParse({ path: 'x', valueRange: [1, 0] }).success).toBe(false);
    expect(tfjsAdapterFactory.configSchema.safeParse({ path: 'x', backend: 'webgl' }).success).toBe(false);
    expect(tfjsAdapterFactory.configSchema.safeParse({ path: '' }).success).toBe(false);
  });

  it('describes every config field for the dashboard form', () => {
    const schema = z.toJSONSchema(tfjsAdapterFactory.configSchema, { io: 'input' }) as {
      properties: Record<string, { description?: string }>;
    };
    const fields = Object.keys(schema.properties);
    expect(fields).toEqual(expect.arrayContaining(['path', 'backend', 'outputKind', 'valueRange', 'layout', 'inputShape', 'maxBatchSize']));
    for (const field of fields) expect(schema.properties[field]!.description, field).toMatch(/\w{3,}/);
  });

  it('recognises model.json paths and model folders, but not URLs or other files', async () => {
    const folder = await saveTinyLayersModel(path.join(root, 'model'));
    const empty = path.join(root, 'empty');
    await mkdir(empty);
    const match = (location: string) => tfjsAdapterFactory.matchesLocation!(location);
    expect(await match(folder)).toBe(true);
    expect(await match(path.join(folder, 'model.json'))).toBe(true);
    expect(await match('elsewhere/model.json')).toBe(true);
    expect(await match(empty)).toBe(false);
    expect(await match(path.join(folder, 'weights.bin'))).toBe(false);
    expect(await match(path.join(folder, 'modelseal-model.json'))).toBe(false);
    expect(await match('https://example.com/model.json')).toBe(false);
    expect(await match('model.onnx')).toBe(false);
  });

  it('creates adapters through the registry from a bare location, resolving it against cwd', async () => {
    await saveTinyLayersModel(path.join(root, 'relative'));
    const registry = new AdapterRegistry().register(tfjsAdapterFactory);
    const adapter = await registry.createFromLocation(path.join(root, 'relative'));
    expect(adapter.kind).toBe('tfjs');
    await adapter.dispose();
    const viaCwd = await registry.create('tfjs', { path: 'relative/model.json', maxBatchSize: 8 }, { cwd: root });
    expect(viaCwd.describe().maxBatchSize).toBe(8);
    await viaCwd.dispose();
  });

  it('is exported under the names plug-in loading looks for', () => {
    expect(defaultExport).toBe(tfjsAdapterFactory);
    expect(adapterFactory).toBe(tfjsAdapterFactory);
  });
});
