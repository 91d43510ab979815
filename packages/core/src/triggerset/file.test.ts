import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelSealError } from '../errors.ts';
import { readTriggerSetFile, writeTriggerSetFile } from './file.ts';
import { smallTriggerSet } from './fixtures/smallTriggerSet.ts';
import { signingKeyFromEnv } from './signature.ts';

const KEY = 'a test signing key of 32 bytes!!';
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'modelseal-triggerset-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<ModelSealError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ModelSealError);
    return error as ModelSealError;
  }
  throw new Error('expected a rejection');
}

describe('trigger set files', () => {
  it('writes and reads back a signed file, leaving no temporary file behind', async () => {
    const path = join(dir, 'set.safetensors');
    await writeTriggerSetFile(path, smallTriggerSet(), { signingKey: KEY });
    const decoded = await readTriggerSetFile(path, { signingKey: KEY });
    expect(decoded.signature).toBe('valid');
    expect(decoded.triggerSet.labels).toEqual(new Int32Array([2, 0]));
    expect(await readdir(dir)).toEqual(['set.safetensors']);
  });

  it('creates the file readable by its owner only, since a trigger set is a secret', async () => {
    const path = join(dir, 'set.safetensors');
    await writeTriggerSetFile(path, smallTriggerSet());
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('replaces an existing file whole', async () => {
    const path = join(dir, 'set.safetensors');
    await writeFile(path, 'old contents that are longer than nothing at all');
    await writeTriggerSetFile(path, smallTriggerSet());
    expect((await readTriggerSetFile(path)).signature).toBe('absent');
  });

  it('leaves the old file and no temporary file when encoding fails', async () => {
    const path = join(dir, 'set.safetensors');
    await writeFile(path, 'old');
    const bad = smallTriggerSet({ labels: new Int32Array([9, 9]) });
    expect((await rejection(writeTriggerSetFile(path, bad))).code).toBe('INVALID_ARGUMENT');
    expect(await readFile(path, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['set.safetensors']);
  });

  it('reports a missing file or folder as INVALID_ARGUMENT naming the path', async () => {
    const missing = join(dir, 'nope.safetensors');
    const error = await rejection(readTriggerSetFile(missing));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe(`cannot read trigger set ${missing}: no such file`);
    expect((await rejection(readTriggerSetFile(dir))).message).toMatch(/is a directory/);
    const write = await rejection(writeTriggerSetFile(join(dir, 'no', 'such', 'dir', 'x'), smallTriggerSet()));
    expect(write.code).toBe('INVALID_ARGUMENT');
    expect(write.message).toContain(join(dir, 'no', 'such', 'dir', 'x'));
  });

  it('prefixes decoding errors with the path', async () => {
    const path = join(dir, 'junk.safetensors');
    await writeFile(path, 'abc');
    const error = await rejection(readTriggerSetFile(path));
    expect(error.code).toBe('CORRUPT_FILE');
    expect(error.message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: safetensors: file is 3 bytes`));
  });
});

describe('signingKeyFromEnv', () => {
  it('is undefined when unset or blank', () => {
    expect(signingKeyFromEnv({})).toBeUndefined();
    expect(signingKeyFromEnv({ MODELSEAL_SIGNING_KEY: '  \n' })).toBeUndefined();
  });

  it('decodes 32+ hex digits as hex, and anything else as UTF-8, ignoring surrounding whitespace', () => {
    const hex = '00ff'.repeat(8);
    expect([...signingKeyFromEnv({ MODELSEAL_SIGNING_KEY: `${hex}\n` })!]).toEqual(
      [...Buffer.from(hex, 'hex')],
    );
    expect(Buffer.from(signingKeyFromEnv({ MODELSEAL_SIGNING_KEY: 'correct horse battery staple' })!).toString()).toBe(
      'correct horse battery staple',
    );
  });

  it('rejects a key that is too short as INVALID_CONFIG naming the variable', () => {
    expect(() => signingKeyFromEnv({ MODELSEAL_SIGNING_KEY: 'tiny' })).toThrow(/MODELSEAL_SIGNING_KEY: signing key is 4 bytes/);
  });
});

const python = spawnSync('python3', ['--version']).status === 0;

describe.skipIf(!python)('reading a trigger set with plain Python', () => {
  it('lists tensors, metadata keys and the first label, and verifies content_sha256', async () => {
    const path = join(dir, 'set.safetensors');
    await writeTriggerSetFile(path, smallTriggerSet(), { signingKey: KEY });
    const script = fileURLToPath(new URL('./fixtures/read_safetensors.py', import.meta.url));
    const { stdout } = await promisify(execFile)('python3', [script, path]);
    expect(JSON.parse(stdout)).toEqual({
      tensors: [
        { name: 'inputs', dtype: 'F32', shape: [2, 1, 3] },
        { name: 'labels', dtype: 'I32', shape: [2] },
        { name: 'probabilities', dtype: 'F32', shape: [2, 3] },
      ],
      metadata_keys: [
        'class_names',
        'content_sha256',
        'created_at',
        'epsilon',
        'extra',
        'format',
        'format_version',
        'iterations',
        'layout',
        'model_fingerprint',
        'model_runtime',
        'objective',
        'signature',
        'signature_alg',
        'value_range',
      ],
      first_label: 2,
      content_sha256_ok: true,
    });
  });

  it("Python's checksum notices an edited label", async () => {
    const path = join(dir, 'set.safetensors');
    await writeTriggerSetFile(path, smallTriggerSet());
    const bytes = await readFile(path);
    // The data ends with 2 labels (I32) then 6 probabilities (F32): flip the low byte of the first label.
    bytes[bytes.length - 24 - 8]! ^= 1;
    await writeFile(path, bytes);
    const script = fileURLToPath(new URL('./fixtures/read_safetensors.py', import.meta.url));
    const { stdout } = await promisify(execFile)('python3', [script, path]);
    expect(JSON.parse(stdout)).toMatchObject({ first_label: 3, content_sha256_ok: false });
  });
});
