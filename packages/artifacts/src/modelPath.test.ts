import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelSealError } from '@modelseal/core';
import { confineModelEndpoint, confineModelPath, modelRootsFromEnv, privateEndpointsFromEnv, registeredModelRules } from './modelPath.ts';

let work: string;
let artifacts: string;
let allowed: string;
let outside: string;

beforeEach(async () => {
  // Real paths throughout: on some systems the temp folder itself is reached through a link.
  work = await realpath(await mkdtemp(join(tmpdir(), 'modelseal-model-path-')));
  artifacts = join(work, 'artifacts');
  allowed = join(work, 'allowed');
  outside = join(work, 'outside');
  for (const dir of [artifacts, allowed, outside]) await mkdir(dir);
  await writeFile(join(artifacts, 'm.onnx'), 'x');
  await writeFile(join(allowed, 'm.onnx'), 'x');
  await writeFile(join(outside, 'secret.onnx'), 'x');
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const rejects = (path: string, roots: readonly string[], pattern: RegExp) =>
  expect(confineModelPath(path, { base: artifacts, roots })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(pattern) });

describe('confineModelPath', () => {
  it('resolves relative paths inside the artifacts folder, existing yet or not', async () => {
    expect(await confineModelPath('m.onnx', { base: artifacts })).toBe(join(artifacts, 'm.onnx'));
    expect(await confineModelPath('later/model.json', { base: artifacts })).toBe(join(artifacts, 'later', 'model.json'));
    expect(await confineModelPath('.', { base: artifacts })).toBe(artifacts);
  });

  it('refuses absolute paths unless the operator allowed their folder', async () => {
    await rejects(join(allowed, 'm.onnx'), [], /is absolute: upload the model \(models\.upload\)/);
    await rejects(join(outside, 'secret.onnx'), [allowed], /not inside a folder allowed by MODELSEAL_MODEL_ROOTS/);
    // A sibling whose name merely starts with the root's name is not inside it.
    await mkdir(`${allowed}-evil`);
    await rejects(join(`${allowed}-evil`, 'm.onnx'), [allowed], /not inside/);
    expect(await confineModelPath(join(allowed, 'm.onnx'), { base: artifacts, roots: [allowed] })).toBe(join(allowed, 'm.onnx'));
    expect(await confineModelPath(allowed, { base: artifacts, roots: [allowed] })).toBe(allowed);
  });

  it('refuses ".." segments and NUL characters, even inside an allowed root', async () => {
    await rejects('../outside/secret.onnx', [], /"\.\." segment/);
    await rejects('a/../../outside/secret.onnx', [], /"\.\." segment/);
    await rejects(`${allowed}/../outside/secret.onnx`, [allowed], /"\.\." segment/);
    await rejects('m.onnx\0.txt', [], /NUL/);
    await rejects('', [], /empty/);
  });

  it('follows symbolic links: a link out of the artifacts folder or out of a root is refused', async () => {
    await symlink(outside, join(artifacts, 'escape'));
    await rejects('escape/secret.onnx', [], /leads out of the artifacts folder through a symbolic link/);
    await symlink(join(outside, 'secret.onnx'), join(allowed, 'link.onnx'));
    await rejects(join(allowed, 'link.onnx'), [allowed], /not inside a folder allowed/);
    // A link that stays inside, or lands in an allowed root, is fine.
    await symlink(join(allowed, 'm.onnx'), join(artifacts, 'shared.onnx'));
    expect(await confineModelPath('shared.onnx', { base: artifacts, roots: [allowed] })).toBe(join(allowed, 'm.onnx'));
    await rejects('shared.onnx', [], /symbolic link/);
  });

  it('keeps registered models out of the folders the store manages for every project', async () => {
    const rules = registeredModelRules(artifacts, []);
    for (const path of ['model/ab/' + 'ab'.repeat(32), 'models/' + 'cd'.repeat(32) + '/model.onnx', 'trigger-set', '.tmp/x']) {
      await expect(confineModelPath(path, rules)).rejects.toThrow(/a folder the artifact store manages for every project/);
    }
    // Also when reached through a link that stays inside the artifacts folder.
    await mkdir(join(artifacts, 'models'));
    await symlink(join(artifacts, 'models'), join(artifacts, 'innocent'));
    await expect(confineModelPath('innocent/x.onnx', rules)).rejects.toThrow(/leads into "models"/);
    expect(await confineModelPath('my-models/m.onnx', rules)).toBe(join(artifacts, 'my-models', 'm.onnx'));
  });

  it('names the folder it confines to in its messages', async () => {
    await expect(confineModelPath('../x', { base: artifacts, baseName: 'the uploaded model' })).rejects.toThrow(/climb out of the uploaded model/);
  });
});

describe('modelRootsFromEnv', () => {
  it('reads colon-separated absolute folders and refuses relative ones', () => {
    expect(modelRootsFromEnv({})).toEqual([]);
    expect(modelRootsFromEnv({ MODELSEAL_MODEL_ROOTS: '' })).toEqual([]);
    expect(modelRootsFromEnv({ MODELSEAL_MODEL_ROOTS: '/srv/models: /mnt/shared/ :' })).toEqual(['/srv/models', '/mnt/shared']);
    expect(() => modelRootsFromEnv({ MODELSEAL_MODEL_ROOTS: '/srv/models:models' })).toThrow(/"models" is not an absolute folder path/);
  });
});

describe('confineModelEndpoint', () => {
  const refused = (config: unknown) => {
    let error: unknown;
    try {
      confineModelEndpoint(config, false);
    } catch (e) {
      error = e;
    }
    expect(error, `expected ${JSON.stringify(config)} to be refused`).toBeInstanceOf(ModelSealError);
    expect(error).toMatchObject({ code: 'FORBIDDEN_ADDRESS', message: expect.stringContaining('MODELSEAL_ALLOW_PRIVATE_ENDPOINTS=1') });
  };

  it('refuses configs that open the SSRF guard (allowPrivate, a non-empty allowHosts) unless the operator allowed it', () => {
    const url = 'https://models.example.com/v2/models/m';
    for (const config of [
      { url, allowPrivate: true },
      { url, allowHosts: ['10.0.0.0/8'] },
      { url, allowHosts: ['inference.internal'], allowPrivate: false },
      { url, allowPrivate: true, allowHosts: [] },
      // Any adapter that uses the conventional keys is covered, not only http.
      { endpoint: 'grpc://10.1.2.3:8001', allowPrivate: true },
    ]) {
      refused(config);
      expect(() => confineModelEndpoint(config, true)).not.toThrow();
    }
  });

  it('lets every other config through', () => {
    for (const config of [
      { url: 'https://models.example.com/v2/models/m' },
      { url: 'https://models.example.com/v2/models/m', allowPrivate: false, allowHosts: [] },
      { path: 'mnist/model.json' },
      // Only a literal true or a non-empty list widens the guard; the adapter's own schema refuses other values.
      { url: 'https://models.example.com/v2/models/m', allowPrivate: 'true', allowHosts: 'inference.internal' },
      {},
      null,
      undefined,
      'https://10.0.0.1/v2/models/m',
      [true],
    ]) {
      expect(() => confineModelEndpoint(config, false)).not.toThrow();
    }
  });
});

describe('privateEndpointsFromEnv', () => {
  it('is off unless MODELSEAL_ALLOW_PRIVATE_ENDPOINTS is 1 or true', () => {
    expect(privateEndpointsFromEnv({})).toBe(false);
    for (const value of ['', '0', 'false', 'yes']) expect(privateEndpointsFromEnv({ MODELSEAL_ALLOW_PRIVATE_ENDPOINTS: value })).toBe(false);
    for (const value of ['1', 'true', 'TRUE']) expect(privateEndpointsFromEnv({ MODELSEAL_ALLOW_PRIVATE_ENDPOINTS: value })).toBe(true);
  });
});
