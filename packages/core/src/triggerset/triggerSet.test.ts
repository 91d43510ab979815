import { describe, expect, it } from 'vitest';
import { ModelSealError } from '../errors.ts';
import { decodeSafetensors, encodeSafetensors } from './safetensors.ts';
import type { SafetensorsEntry } from './safetensors.ts';
import { sha256Hex } from './signature.ts';
import { decodeTriggerSet, encodeTriggerSet } from './triggerSet.ts';
import type { TriggerSet } from './triggerSet.ts';
import { smallTriggerSet } from './fixtures/smallTriggerSet.ts';

const KEY = 'a test signing key of 32 bytes!!';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelSealError);
    return (error as ModelSealError).code;
  }
  return 'no error';
}

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

/** Re-encodes a decoded file after `edit` changes its metadata or tensors (a hand edit with a safetensors library). */
function editFile(
  bytes: Uint8Array,
  edit: (metadata: Record<string, string>, entries: SafetensorsEntry[]) => void,
): Uint8Array {
  const file = decodeSafetensors(bytes);
  const metadata = { ...file.metadata };
  const entries = [...file.tensors.values()].map(
    (t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, data: t.data }) as SafetensorsEntry,
  );
  edit(metadata, entries);
  return encodeSafetensors(entries, metadata);
}

describe('trigger set round trip', () => {
  it('decodes what it encodes, unsigned', () => {
    const set = smallTriggerSet();
    const decoded = decodeTriggerSet(encodeTriggerSet(set));
    expect(decoded.signature).toBe('absent');
    expect(decoded.triggerSet.inputs.shape).toEqual([2, 1, 3]);
    expect(decoded.triggerSet.inputs.data).toEqual(set.inputs.data);
    expect(decoded.triggerSet.labels).toEqual(set.labels);
    expect(decoded.triggerSet.probabilities).toEqual(set.probabilities);
    expect(decoded.triggerSet.metadata).toEqual(set.metadata);
    expect(decoded.contentSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('omits class names when there are none', () => {
    const set = smallTriggerSet();
    const { classNames: _unused, ...withoutNames } = set.metadata;
    const decoded = decodeTriggerSet(encodeTriggerSet({ ...set, metadata: withoutNames }));
    expect(decoded.triggerSet.metadata.classNames).toBeUndefined();
    expect(decodeSafetensors(encodeTriggerSet({ ...set, metadata: withoutNames })).metadata).not.toHaveProperty(
      'class_names',
    );
  });

  it('stores plain strings a Python reader can parse', () => {
    const metadata = decodeSafetensors(encodeTriggerSet(smallTriggerSet(), { signingKey: KEY })).metadata!;
    expect(metadata).toMatchObject({
      format: 'modelseal.trigger-set',
      format_version: '1',
      epsilon: '0.0001',
      iterations: '250',
      value_range: '[0,1]',
      class_names: '["cat","dog","ship"]',
      signature_alg: 'HMAC-SHA256',
      layout: 'NCHW',
    });
    expect(JSON.parse(metadata.extra!)).toEqual(smallTriggerSet().metadata.extra);
    expect(metadata.signature).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is deterministic', () => {
    const a = encodeTriggerSet(smallTriggerSet(), { signingKey: KEY });
    const b = encodeTriggerSet(smallTriggerSet(), { signingKey: KEY });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('content_sha256 is the sha256 of the header without integrity keys followed by the data', () => {
    const bytes = encodeTriggerSet(smallTriggerSet());
    const file = decodeSafetensors(bytes);
    const { content_sha256: stored, ...rest } = file.metadata!;
    const entries = [...file.tensors.values()] as SafetensorsEntry[];
    expect(stored).toBe(sha256Hex(encodeSafetensors(entries, rest).subarray(8)));
  });

  it('reports a signed file read without a key as present-unchecked, and with the key as valid', () => {
    const bytes = encodeTriggerSet(smallTriggerSet(), { signingKey: KEY });
    expect(decodeTriggerSet(bytes).signature).toBe('present-unchecked');
    expect(decodeTriggerSet(bytes, { signingKey: KEY }).signature).toBe('valid');
    expect(decodeTriggerSet(bytes, { signingKey: Buffer.from(KEY) }).signature).toBe('valid');
  });

  it('checksum does not depend on the physical order of tensors in the file', () => {
    const bytes = encodeTriggerSet(smallTriggerSet());
    const reordered = editFile(bytes, (_metadata, entries) => entries.reverse());
    expect(Buffer.from(reordered).equals(Buffer.from(bytes))).toBe(false);
    expect(decodeTriggerSet(reordered).contentSha256).toBe(decodeTriggerSet(bytes).contentSha256);
  });
});

describe('trigger set integrity', () => {
  it('detects an edited label with a recomputed layout as a checksum mismatch', () => {
    const bytes = encodeTriggerSet(smallTriggerSet());
    const edited = editFile(bytes, (_m, entries) => {
      (entries.find((e) => e.name === 'labels')!.data as Int32Array)[0] = 1;
    });
    expect(messageOf(() => decodeTriggerSet(edited))).toBe(
      'content checksum mismatch: the file was modified or damaged',
    );
    expect(codeOf(() => decodeTriggerSet(edited))).toBe('CORRUPT_FILE');
  });

  it('detects an edited metadata value', () => {
    const bytes = encodeTriggerSet(smallTriggerSet());
    const edited = editFile(bytes, (metadata) => {
      metadata.epsilon = '0.001';
    });
    expect(messageOf(() => decodeTriggerSet(edited))).toMatch(/content checksum mismatch/);
  });

  it('with a key: rejects an unsigned file as UNSIGNED_FILE', () => {
    expect(codeOf(() => decodeTriggerSet(encodeTriggerSet(smallTriggerSet()), { signingKey: KEY }))).toBe(
      'UNSIGNED_FILE',
    );
  });

  it('with a key: rejects a stripped signature as UNSIGNED_FILE even if the checksum was fixed up', () => {
    const signed = encodeTriggerSet(smallTriggerSet(), { signingKey: KEY });
    const stripped = editFile(signed, (metadata) => {
      delete metadata.signature;
    });
    expect(codeOf(() => decodeTriggerSet(stripped, { signingKey: KEY }))).toBe('UNSIGNED_FILE');
  });

  it('with a key: rejects another key, and a re-checksummed edit, as SIGNATURE_MISMATCH', () => {
    const signed = encodeTriggerSet(smallTriggerSet(), { signingKey: KEY });
    expect(codeOf(() => decodeTriggerSet(signed, { signingKey: 'another key of at least 16 bytes' }))).toBe(
      'SIGNATURE_MISMATCH',
    );
    // An attacker without the key edits a label and recomputes content_sha256.
    const forged = editFile(signed, (metadata, entries) => {
      (entries.find((e) => e.name === 'labels')!.data as Int32Array)[0] = 1;
      const { content_sha256: _c, signature: _s, ...rest } = metadata;
      metadata.content_sha256 = sha256Hex(encodeSafetensors(entries, rest).subarray(8));
    });
    expect(decodeTriggerSet(forged).signature).toBe('present-unchecked');
    expect(codeOf(() => decodeTriggerSet(forged, { signingKey: KEY }))).toBe('SIGNATURE_MISMATCH');
  });

  it('rejects short signing keys', () => {
    expect(codeOf(() => encodeTriggerSet(smallTriggerSet(), { signingKey: 'short' }))).toBe('INVALID_ARGUMENT');
  });

  it.each([
    ['unsigned, read without a key', undefined, undefined],
    ['signed, read with the key', KEY, KEY],
  ])('detects a change to any single byte (%s)', (_label, writeKey, readKey) => {
    const bytes = encodeTriggerSet(smallTriggerSet(), { signingKey: writeKey });
    const undetected: string[] = [];
    // Every single-bit flip, the complement, and each JSON whitespace character
    // (a space turned into a newline would still be valid JSON).
    const replacements = (byte: number): number[] => [
      ...[0, 1, 2, 3, 4, 5, 6, 7].map((bit) => byte ^ (1 << bit)),
      byte ^ 0xff,
      ...[0x09, 0x0a, 0x0d, 0x20].filter((ws) => ws !== byte),
    ];
    for (let position = 0; position < bytes.length; position++) {
      for (const value of replacements(bytes[position]!)) {
        const damaged = bytes.slice();
        damaged[position] = value;
        try {
          decodeTriggerSet(damaged, { signingKey: readKey });
          undetected.push(`byte ${position} = 0x${value.toString(16)}`);
        } catch (error) {
          if (!(error instanceof ModelSealError)) undetected.push(`byte ${position}: ${String(error)}`);
        }
      }
    }
    expect(undetected).toEqual([]);
  });

  it('detects truncation and appended bytes', () => {
    const bytes = encodeTriggerSet(smallTriggerSet());
    for (const length of [0, 7, 8, 20, bytes.length - 1]) {
      expect(codeOf(() => decodeTriggerSet(bytes.subarray(0, length)))).toBe('CORRUPT_FILE');
    }
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(codeOf(() => decodeTriggerSet(longer))).toBe('CORRUPT_FILE');
  });
});

describe('trigger set validation', () => {
  it('says a safetensors file that is not a trigger set is not one', () => {
    const plain = encodeSafetensors([{ name: 'w', dtype: 'F32', shape: [1], data: new Float32Array(1) }]);
    expect(messageOf(() => decodeTriggerSet(plain))).toMatch(/not a ModelSeal trigger set: it has no "format"/);
    const other = encodeSafetensors([], { format: 'pt' });
    expect(messageOf(() => decodeTriggerSet(other))).toMatch(/not a ModelSeal trigger set: its format is "pt"/);
  });

  it('names a missing required metadata key', () => {
    const edited = fixChecksum(
      editFile(encodeTriggerSet(smallTriggerSet()), (metadata) => {
        delete metadata.model_runtime;
      }),
    );
    expect(messageOf(() => decodeTriggerSet(edited))).toBe(
      'trigger set metadata is missing the required key "model_runtime"',
    );
  });

  it('names malformed metadata values', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['epsilon', 'abc', /"epsilon" must be a number/],
      ['iterations', '2.5', /"iterations" must be a non-negative integer/],
      ['value_range', '[1,0]', /"value_range" must be \[lo, hi\]/],
      ['value_range', '[0,', /"value_range" is not valid JSON/],
      ['layout', 'NWHC', /"layout" must be one of/],
      ['created_at', 'yesterday', /"created_at" must be an ISO 8601 timestamp/],
      ['extra', '[]', /"extra" must be an object/],
    ];
    for (const [key, value, message] of cases) {
      const edited = fixChecksum(
        editFile(encodeTriggerSet(smallTriggerSet()), (metadata) => {
          metadata[key] = value;
        }),
      );
      expect(codeOf(() => decodeTriggerSet(edited))).toBe('CORRUPT_FILE');
      expect(messageOf(() => decodeTriggerSet(edited))).toMatch(message);
    }
  });

  it('rejects a newer format version as UNSUPPORTED', () => {
    const edited = fixChecksum(
      editFile(encodeTriggerSet(smallTriggerSet()), (metadata) => {
        metadata.format_version = '2';
      }),
    );
    expect(codeOf(() => decodeTriggerSet(edited))).toBe('UNSUPPORTED');
  });

  it('rejects a missing tensor, an extra tensor, and a wrong dtype', () => {
    const bytes = encodeTriggerSet(smallTriggerSet());
    const missing = fixChecksum(editFile(bytes, (_m, entries) => entries.splice(1, 1)), false);
    expect(messageOf(() => decodeTriggerSet(missing))).toBe('trigger set has no "labels" tensor');
    const extra = editFile(bytes, (_m, entries) =>
      entries.push({ name: 'payload', dtype: 'U8', shape: [1], data: new Uint8Array(1) }),
    );
    expect(messageOf(() => decodeTriggerSet(extra))).toBe('trigger set has an unexpected tensor "payload"');
    const wrongDtype = editFile(bytes, (_m, entries) => {
      entries[1] = { name: 'labels', dtype: 'F32', shape: [2], data: new Float32Array(2) };
    });
    expect(messageOf(() => decodeTriggerSet(wrongDtype))).toBe('trigger set tensor "labels" must be I32, got F32');
  });

  it('on write, rejects tensors that disagree, saying which', () => {
    const set = smallTriggerSet();
    const cases: Array<[Partial<TriggerSet>, RegExp]> = [
      [{ labels: new Int32Array([0, 1, 2]) }, /inputs has 2 rows but labels has 3/],
      [
        { probabilities: { data: new Float32Array(9), shape: [3, 3] } },
        /inputs has 2 rows but probabilities has 3/,
      ],
      [{ labels: new Int32Array([0, 3]) }, /labels\[1\] = 3 is outside \[0, 3\)/],
      [{ labels: new Int32Array([-1, 0]) }, /labels\[0\] = -1 is outside/],
      [
        { probabilities: { data: new Float32Array([0.3, 0.3, 0.4, 0.5, NaN, 0.25]), shape: [2, 3] } },
        /probabilities\[1, 1\] is NaN, not finite/,
      ],
      [{ inputs: { data: new Float32Array([0, 0, 0, 0, Infinity, 0]), shape: [2, 1, 3] } }, /sample 1/],
      [{ inputs: { data: new Float32Array(0), shape: [0, 3] } }, /no samples/],
      [{ inputs: { data: new Float32Array(5), shape: [2, 3] } }, /needs 6 values, got 5/],
    ];
    for (const [override, message] of cases) {
      const bad = { ...set, ...override };
      expect(codeOf(() => encodeTriggerSet(bad))).toBe('INVALID_ARGUMENT');
      expect(messageOf(() => encodeTriggerSet(bad))).toMatch(message);
    }
  });

  it('on read, rejects tensors that disagree as CORRUPT_FILE, saying which', () => {
    const edited = fixChecksum(
      editFile(encodeTriggerSet(smallTriggerSet()), (_m, entries) => {
        (entries[1]!.data as Int32Array)[0] = 7;
      }),
    );
    expect(codeOf(() => decodeTriggerSet(edited))).toBe('CORRUPT_FILE');
    expect(messageOf(() => decodeTriggerSet(edited))).toMatch(/labels\[0\] = 7 is outside \[0, 3\)/);
  });

  it('on write, rejects metadata that would not survive the round trip', () => {
    expect(messageOf(() => encodeTriggerSet(smallTriggerSet({}, { epsilon: NaN })))).toMatch(/"epsilon"/);
    expect(messageOf(() => encodeTriggerSet(smallTriggerSet({}, { extra: { x: [1, Infinity] } })))).toMatch(
      /non-finite number at extra\.x\[1\]/,
    );
    expect(messageOf(() => encodeTriggerSet(smallTriggerSet({}, { classNames: ['a'] })))).toMatch(
      /1 class names but probabilities has 3 classes/,
    );
  });
});

/** Recomputes content_sha256 after an edit, to reach the validation behind the checksum. */
function fixChecksum(bytes: Uint8Array, strict = true): Uint8Array {
  return editFile(bytes, (metadata, entries) => {
    const { content_sha256: _c, signature: _s, ...rest } = metadata;
    const order = ['inputs', 'labels', 'probabilities'];
    const canonical = order.flatMap((name) => entries.filter((e) => e.name === name));
    if (strict && canonical.length !== 3) throw new Error('fixture lost a tensor');
    metadata.content_sha256 = sha256Hex(encodeSafetensors(canonical, rest).subarray(8));
  });
}
