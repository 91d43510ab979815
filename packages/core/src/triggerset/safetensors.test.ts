import { describe, expect, it } from 'vitest';
import { ModelSealError } from '../errors.ts';
import { decodeSafetensors, encodeSafetensors } from './safetensors.ts';
import type { SafetensorsEntry } from './safetensors.ts';

/** Builds a file from a raw header string (padded) and buffer, bypassing the writer's checks. */
function rawFile(header: string, buffer: Uint8Array = new Uint8Array(0), padTo8 = true): Uint8Array {
  let json = new TextEncoder().encode(header);
  if (padTo8 && json.length % 8 !== 0) {
    const padded = new Uint8Array(json.length + 8 - (json.length % 8)).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const out = new Uint8Array(8 + json.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(buffer, 8 + json.length);
  return out;
}

function corruptMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelSealError);
    expect((error as ModelSealError).code).toBe('CORRUPT_FILE');
    return (error as ModelSealError).message;
  }
  throw new Error('expected decoding to throw');
}

const sample: SafetensorsEntry[] = [
  { name: 'b', dtype: 'F32', shape: [2, 2], data: new Float32Array([1.5, -2, 0.25, 3]) },
  { name: 'a', dtype: 'I32', shape: [3], data: new Int32Array([7, -1, 2147483647]) },
  { name: '0', dtype: 'U8', shape: [1], data: new Uint8Array([255]) },
  { name: 'd', dtype: 'F64', shape: [1], data: new Float64Array([Math.PI]) },
  { name: 'e', dtype: 'I64', shape: [1], data: new BigInt64Array([-(2n ** 62n)]) },
];

describe('encodeSafetensors', () => {
  it('writes the documented layout: u64 LE length, compact JSON padded with spaces to 8, LE data', () => {
    const bytes = encodeSafetensors([{ name: 'x', dtype: 'F32', shape: [1], data: new Float32Array([1]) }], {
      k: 'v',
    });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
    expect(header.trimEnd()).toBe(
      '{"__metadata__":{"k":"v"},"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
    );
    expect(headerLength % 8).toBe(0);
    expect(header.slice(header.trimEnd().length)).toMatch(/^ *$/);
    expect([...bytes.subarray(8 + headerLength)]).toEqual([0x00, 0x00, 0x80, 0x3f]);
  });

  it('is deterministic: same content gives the same bytes regardless of metadata key order', () => {
    const one = encodeSafetensors(sample, { z: '1', a: '2' });
    const two = encodeSafetensors(sample, { a: '2', z: '1' });
    expect(Buffer.from(one).equals(Buffer.from(two))).toBe(true);
  });

  it('keeps tensors in the order given, even integer-like names', () => {
    const file = decodeSafetensors(encodeSafetensors(sample));
    expect([...file.tensors.keys()]).toEqual(['b', 'a', '0', 'd', 'e']);
  });

  it('rejects data whose length does not match the shape, or of the wrong array type', () => {
    expect(() =>
      encodeSafetensors([{ name: 'x', dtype: 'F32', shape: [3], data: new Float32Array(2) }]),
    ).toThrow(/needs 3 values, got 2/);
    expect(() =>
      encodeSafetensors([{ name: 'x', dtype: 'F32', shape: [2], data: new Float64Array(2) }]),
    ).toThrow(/needs a Float32Array, got Float64Array/);
    expect(() =>
      encodeSafetensors([
        { name: 'x', dtype: 'U8', shape: [0], data: new Uint8Array(0) },
        { name: 'x', dtype: 'U8', shape: [0], data: new Uint8Array(0) },
      ]),
    ).toThrow(/given twice/);
    expect(() =>
      encodeSafetensors([{ name: '__metadata__', dtype: 'U8', shape: [0], data: new Uint8Array(0) }]),
    ).toThrow(/reserved/);
  });
});

describe('decodeSafetensors', () => {
  it('round-trips every writable dtype with metadata', () => {
    const file = decodeSafetensors(encodeSafetensors(sample, { note: 'héllo ✓' }));
    expect(file.metadata).toEqual({ note: 'héllo ✓' });
    for (const entry of sample) {
      const got = file.tensors.get(entry.name);
      expect(got?.dtype).toBe(entry.dtype);
      expect(got?.shape).toEqual(entry.shape);
      expect(got?.data).toEqual(entry.data);
    }
  });

  it('returns aligned copies, not views into the file', () => {
    // A one-byte U8 tensor first puts the F32 data at an odd offset in the buffer.
    const bytes = encodeSafetensors([
      { name: 'u', dtype: 'U8', shape: [1], data: new Uint8Array([9]) },
      { name: 'f', dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) },
    ]);
    const file = decodeSafetensors(bytes);
    const f = file.tensors.get('f')!.data as Float32Array;
    expect(f).toBeInstanceOf(Float32Array);
    expect(f.byteOffset).toBe(0);
    expect(f.buffer).not.toBe(bytes.buffer);
    expect([...f]).toEqual([1, 2]);
  });

  it('reads a file that sits at an offset inside a larger buffer', () => {
    const bytes = encodeSafetensors(sample);
    const host = new Uint8Array(bytes.length + 3);
    host.set(bytes, 3);
    const file = decodeSafetensors(host.subarray(3));
    expect(file.tensors.get('d')?.data).toEqual(new Float64Array([Math.PI]));
  });

  it('copies out of a Node Buffer that shares a larger pool', () => {
    const bytes = encodeSafetensors(sample);
    const pooled = Buffer.allocUnsafe(bytes.length + 5).subarray(5);
    pooled.set(bytes);
    const file = decodeSafetensors(pooled);
    const a = file.tensors.get('a')!.data;
    expect(a.buffer.byteLength).toBe(12);
    expect([...a]).toEqual([7, -1, 2147483647]);
    expect(file.tensors.get('0')!.data).not.toBeInstanceOf(Buffer);
  });

  it('decodes F16, including subnormals and infinities', () => {
    // 1.0, -2.0, 65504 (max), 2^-24 (smallest subnormal), +inf
    const halves = new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00]);
    const file = decodeSafetensors(
      rawFile(
        '{"h":{"dtype":"F16","shape":[5],"data_offsets":[0,10]}}',
        new Uint8Array(halves.buffer),
      ),
    );
    expect([...(file.tensors.get('h')!.data as Float32Array)]).toEqual([1, -2, 65504, 2 ** -24, Infinity]);
  });

  it('accepts zero-sized tensors and a file with no tensors', () => {
    const file = decodeSafetensors(
      rawFile('{"e":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},"f":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}', new Uint8Array([5])),
    );
    expect(file.tensors.get('e')?.data.length).toBe(0);
    expect([...(file.tensors.get('f')!.data as Uint8Array)]).toEqual([5]);
    expect(decodeSafetensors(rawFile('{}')).tensors.size).toBe(0);
    expect(decodeSafetensors(rawFile('{}')).metadata).toBeUndefined();
  });

  it('rejects a file shorter than 8 bytes', () => {
    expect(corruptMessage(() => decodeSafetensors(new Uint8Array(5)))).toMatch(/5 bytes, shorter than the 8-byte/);
  });

  it('rejects a header length over the cap or past the end of the file', () => {
    const bytes = encodeSafetensors(sample);
    expect(corruptMessage(() => decodeSafetensors(bytes, { maxHeaderBytes: 64 }))).toMatch(
      /exceeds the limit of 64 bytes/,
    );
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 64n - 1n, true);
    expect(corruptMessage(() => decodeSafetensors(huge))).toMatch(/exceeds the limit of 16777216 bytes/);
    const past = new Uint8Array(16);
    new DataView(past.buffer).setBigUint64(0, 100n, true);
    expect(corruptMessage(() => decodeSafetensors(past))).toMatch(/runs past the end of the file \(16 bytes\)/);
  });

  it('rejects a header that is not UTF-8, not JSON, or not an object', () => {
    const bad = rawFile('{"a":1}');
    bad[10] = 0xff;
    expect(corruptMessage(() => decodeSafetensors(bad))).toMatch(/not valid UTF-8/);
    expect(corruptMessage(() => decodeSafetensors(rawFile('{"a":}')))).toMatch(/not valid JSON/);
    expect(corruptMessage(() => decodeSafetensors(rawFile('[1,2]')))).toMatch(/must start with "\{"/);
    expect(corruptMessage(() => decodeSafetensors(rawFile(' {}')))).toMatch(/must start with "\{"/);
  });

  it('rejects padding other than spaces, so no header byte can change silently', () => {
    const file = rawFile('{}\n     ', new Uint8Array(0), false);
    expect(corruptMessage(() => decodeSafetensors(file))).toMatch(/followed only by space/);
  });

  it('rejects bad __metadata__', () => {
    expect(corruptMessage(() => decodeSafetensors(rawFile('{"__metadata__":"x"}')))).toMatch(
      /"__metadata__" must be an object of strings, got string/,
    );
    expect(corruptMessage(() => decodeSafetensors(rawFile('{"__metadata__":null}')))).toMatch(/got null/);
    expect(corruptMessage(() => decodeSafetensors(rawFile('{"__metadata__":{"k":3}}')))).toMatch(
      /"__metadata__"\."k" must be a string, got number/,
    );
  });

  it('does not let a "__proto__" metadata key reach the prototype', () => {
    const file = decodeSafetensors(rawFile('{"__metadata__":{"__proto__":"x"}}'));
    expect(Object.getPrototypeOf(file.metadata)).toBe(Object.prototype);
    expect(file.metadata?.['__proto__']).toBe('x');
  });

  it('rejects unknown dtypes, and reports known but unsupported ones as UNSUPPORTED', () => {
    expect(
      corruptMessage(() => decodeSafetensors(rawFile('{"t":{"dtype":"F33","shape":[],"data_offsets":[0,0]}}'))),
    ).toMatch(/tensor "t": unknown dtype "F33"/);
    expect(() => decodeSafetensors(rawFile('{"t":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}', new Uint8Array(2)))).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED' }),
    );
  });

  it.each([
    ['[-1]', /shape must be an array of non-negative integers/],
    ['[1.5]', /shape must be an array of non-negative integers/],
    ['"2"', /shape must be an array of non-negative integers/],
    ['[9007199254740993]', /shape must be an array of non-negative integers/],
  ])('rejects shape %s', (shape, message) => {
    expect(
      corruptMessage(() =>
        decodeSafetensors(rawFile(`{"t":{"dtype":"U8","shape":${shape},"data_offsets":[0,0]}}`)),
      ),
    ).toMatch(message);
  });

  it.each([
    ['[0]', /data_offsets must be \[begin, end\]/],
    ['[0,1,2]', /data_offsets must be \[begin, end\]/],
    ['[0,"1"]', /data_offsets must be \[begin, end\]/],
    ['[2,1]', /end before they begin/],
  ])('rejects data_offsets %s', (offsets, message) => {
    expect(
      corruptMessage(() =>
        decodeSafetensors(rawFile(`{"t":{"dtype":"U8","shape":[1],"data_offsets":${offsets}}}`, new Uint8Array(2))),
      ),
    ).toMatch(message);
  });

  it('rejects a byte size that does not match shape × dtype size', () => {
    expect(
      corruptMessage(() =>
        decodeSafetensors(rawFile('{"t":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}', new Uint8Array(12))),
      ),
    ).toMatch(/tensor "t": F32 shape \[2, 2\] needs 16 bytes but data_offsets \[0, 12\] span 12/);
  });

  it('rejects unexpected keys in a tensor entry', () => {
    expect(
      corruptMessage(() =>
        decodeSafetensors(rawFile('{"t":{"dtype":"U8","shape":[0],"data_offsets":[0,0],"x":1}}')),
      ),
    ).toMatch(/tensor "t": unexpected key "x"/);
  });

  it('rejects gaps, overlaps, data not starting at 0, and a buffer of the wrong length', () => {
    const u8 = (name: string, begin: number, end: number): string =>
      `"${name}":{"dtype":"U8","shape":[${end - begin}],"data_offsets":[${begin},${end}]}`;
    expect(corruptMessage(() => decodeSafetensors(rawFile(`{${u8('a', 1, 2)}}`, new Uint8Array(2))))).toMatch(
      /tensor "a": data begins at buffer offset 1 .* but 0 was expected; it leaves a gap/,
    );
    expect(
      corruptMessage(() => decodeSafetensors(rawFile(`{${u8('a', 0, 2)},${u8('b', 1, 3)}}`, new Uint8Array(3)))),
    ).toMatch(/tensor "b": data begins at buffer offset 1 .* but 2 was expected; it overlaps/);
    expect(
      corruptMessage(() => decodeSafetensors(rawFile(`{${u8('a', 0, 1)},${u8('b', 2, 3)}}`, new Uint8Array(3)))),
    ).toMatch(/tensor "b": .* leaves a gap/);
    expect(corruptMessage(() => decodeSafetensors(rawFile(`{${u8('a', 0, 2)}}`, new Uint8Array(3))))).toMatch(
      /tensors cover 2 bytes of data but the data buffer .* is 3 bytes/,
    );
    expect(corruptMessage(() => decodeSafetensors(rawFile(`{${u8('a', 0, 2)}}`, new Uint8Array(1))))).toMatch(
      /tensors cover 2 bytes of data but the data buffer .* is 1 bytes/,
    );
  });

  it('accepts tensors listed out of offset order and returns them in file order', () => {
    const file = decodeSafetensors(
      rawFile(
        '{"late":{"dtype":"U8","shape":[1],"data_offsets":[1,2]},"early":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}',
        new Uint8Array([10, 20]),
      ),
    );
    expect([...file.tensors.keys()]).toEqual(['early', 'late']);
    expect([...(file.tensors.get('late')!.data as Uint8Array)]).toEqual([20]);
  });
});
