/**
 * The ModelSeal trigger-set file: a safetensors file with tensors `inputs` (F32),
 * `labels` (I32) and `probabilities` (F32) and string metadata, readable from
 * Python with no ModelSeal code.
 *
 * Integrity: `content_sha256` is the sha256 of the canonical bytes, i.e. the
 * safetensors header as this writer produces it for the same content *without*
 * the `content_sha256` and `signature` keys (tensors in the order inputs, labels,
 * probabilities; metadata keys sorted; padded with spaces to a multiple of 8),
 * followed by the data buffer. With a signing key, `signature` is the hex
 * HMAC-SHA256 of the same bytes and `signature_alg` is "HMAC-SHA256" (which is
 * itself covered by both).
 */
import { ModelSealError } from '../errors.ts';
import { formatShape, sizeOf } from '../tensor/tensor.ts';
import type { Tensor } from '../tensor/tensor.ts';
import {
  INTEGRITY_KEYS,
  assertTriggerSetFormat,
  metadataFromStrings,
  metadataToStrings,
} from './metadata.ts';
import type { TriggerSetMetadata } from './metadata.ts';
import { decodeSafetensors, encodeSafetensors } from './safetensors.ts';
import type { SafetensorsEntry, SafetensorsFile, SafetensorsTensor } from './safetensors.ts';
import { SIGNATURE_ALGORITHM, hmacMatches, hmacSha256Hex, sha256Hex, signingKeyBytes } from './signature.ts';
import type { SigningKey } from './signature.ts';

export interface TriggerSet {
  /** Fragile samples, `[N, ...sampleShape]` in the model's layout. */
  readonly inputs: Tensor;
  /** Top-1 label the model gave each sample at enrolment, `[N]`. */
  readonly labels: Int32Array;
  /** Probabilities the model gave each sample at enrolment, `[N, numClasses]`. */
  readonly probabilities: Tensor;
  readonly metadata: TriggerSetMetadata;
}

/**
 * `valid`: checked against the given key. `present-unchecked`: the file is signed
 * but no key was given. `absent`: the file is not signed (and no key was given).
 */
export type SignatureStatus = 'valid' | 'present-unchecked' | 'absent';

export interface DecodedTriggerSet {
  readonly triggerSet: TriggerSet;
  readonly signature: SignatureStatus;
  /** Hex sha256 of the canonical bytes; identifies the set's content. */
  readonly contentSha256: string;
}

export interface EncodeTriggerSetOptions {
  /** When given, the file is signed with HMAC-SHA256. */
  readonly signingKey?: SigningKey | undefined;
}

export interface DecodeTriggerSetOptions {
  /** When given, the file must carry a valid signature made with this key. */
  readonly signingKey?: SigningKey | undefined;
  /** Largest safetensors header accepted, in bytes (default 16 MiB). */
  readonly maxHeaderBytes?: number;
}

const TENSOR_NAMES = ['inputs', 'labels', 'probabilities'] as const;

export function encodeTriggerSet(set: TriggerSet, options: EncodeTriggerSetOptions = {}): Uint8Array {
  const key = options.signingKey === undefined ? undefined : signingKeyBytes(options.signingKey);
  validateTensors(set, 'INVALID_ARGUMENT');
  const metadata = metadataToStrings(set.metadata);
  if (key !== undefined) metadata[INTEGRITY_KEYS.signatureAlgorithm] = SIGNATURE_ALGORITHM;
  const entries = tensorEntries(set.inputs, set.labels, set.probabilities);
  const canonical = canonicalBytes(entries, metadata);
  metadata[INTEGRITY_KEYS.contentSha256] = sha256Hex(canonical);
  if (key !== undefined) metadata[INTEGRITY_KEYS.signature] = hmacSha256Hex(key, canonical);
  return encodeSafetensors(entries, metadata);
}

/**
 * Parses, checks integrity, and validates a trigger set. Throws CORRUPT_FILE for
 * damage or edits, UNSIGNED_FILE / SIGNATURE_MISMATCH when a key is given and the
 * file is unsigned / signed with another key or edited.
 */
export function decodeTriggerSet(bytes: Uint8Array, options: DecodeTriggerSetOptions = {}): DecodedTriggerSet {
  const key = options.signingKey === undefined ? undefined : signingKeyBytes(options.signingKey);
  const file = decodeSafetensors(
    bytes,
    options.maxHeaderBytes === undefined ? {} : { maxHeaderBytes: options.maxHeaderBytes },
  );
  const strings = file.metadata;
  assertTriggerSetFormat(strings);
  const { inputs, labels, probabilities } = requireTensors(file);

  const entries = tensorEntries(inputs, labels, probabilities);
  const { [INTEGRITY_KEYS.contentSha256]: storedSha, [INTEGRITY_KEYS.signature]: signature, ...signed } = strings;
  const canonical = canonicalBytes(entries, signed);
  const contentSha256 = sha256Hex(canonical);
  if (storedSha === undefined) {
    throw new ModelSealError(
      'CORRUPT_FILE',
      `trigger set metadata is missing the required key "${INTEGRITY_KEYS.contentSha256}"`,
    );
  }
  if (storedSha !== contentSha256) {
    throw new ModelSealError('CORRUPT_FILE', 'content checksum mismatch: the file was modified or damaged');
  }

  const status = checkSignature(key, canonical, signature, signed[INTEGRITY_KEYS.signatureAlgorithm]);
  const triggerSet: TriggerSet = { inputs, labels, probabilities, metadata: metadataFromStrings(strings) };
  validateTensors(triggerSet, 'CORRUPT_FILE');
  return { triggerSet, signature: status, contentSha256 };
}

function checkSignature(
  key: Uint8Array | undefined,
  canonical: Uint8Array,
  signature: string | undefined,
  algorithm: string | undefined,
): SignatureStatus {
  if (signature === undefined) {
    if (key !== undefined) {
      throw new ModelSealError(
        'UNSIGNED_FILE',
        'trigger set is not signed, but a signing key was given: it may have been replaced by an unsigned copy',
      );
    }
    return 'absent';
  }
  if (algorithm !== SIGNATURE_ALGORITHM) {
    throw new ModelSealError(
      'CORRUPT_FILE',
      `trigger set metadata "${INTEGRITY_KEYS.signatureAlgorithm}" must be "${SIGNATURE_ALGORITHM}", got ${JSON.stringify(algorithm ?? null)}`,
    );
  }
  if (key === undefined) return 'present-unchecked';
  if (!hmacMatches(key, canonical, signature)) {
    throw new ModelSealError(
      'SIGNATURE_MISMATCH',
      'trigger set signature does not match: it was signed with another key or modified after signing',
    );
  }
  return 'valid';
}

function canonicalBytes(entries: readonly SafetensorsEntry[], metadata: Readonly<Record<string, string>>): Uint8Array {
  // The 8-byte length prefix is redundant with the header itself, so it is left out.
  return encodeSafetensors(entries, metadata).subarray(8);
}

function tensorEntries(inputs: Tensor, labels: Int32Array, probabilities: Tensor): SafetensorsEntry[] {
  return [
    { name: 'inputs', dtype: 'F32', shape: inputs.shape, data: inputs.data },
    { name: 'labels', dtype: 'I32', shape: [labels.length], data: labels },
    { name: 'probabilities', dtype: 'F32', shape: probabilities.shape, data: probabilities.data },
  ];
}

function requireTensors(file: SafetensorsFile): { inputs: Tensor; labels: Int32Array; probabilities: Tensor } {
  for (const name of file.tensors.keys()) {
    if (!(TENSOR_NAMES as readonly string[]).includes(name)) {
      throw new ModelSealError('CORRUPT_FILE', `trigger set has an unexpected tensor "${name}"`);
    }
  }
  const get = (name: (typeof TENSOR_NAMES)[number], dtype: 'F32' | 'I32', rank: string): SafetensorsTensor => {
    const found = file.tensors.get(name);
    if (found === undefined) throw new ModelSealError('CORRUPT_FILE', `trigger set has no "${name}" tensor`);
    if (found.dtype !== dtype) {
      throw new ModelSealError('CORRUPT_FILE', `trigger set tensor "${name}" must be ${dtype}, got ${found.dtype}`);
    }
    const ok = rank === '1' ? found.shape.length === 1 : rank === '2' ? found.shape.length === 2 : found.shape.length >= 2;
    if (!ok) {
      throw new ModelSealError(
        'CORRUPT_FILE',
        `trigger set tensor "${name}" must have rank ${rank}, got shape ${formatShape(found.shape)}`,
      );
    }
    return found;
  };
  const inputs = get('inputs', 'F32', '2 or more');
  const labels = get('labels', 'I32', '1');
  const probabilities = get('probabilities', 'F32', '2');
  return {
    inputs: { data: inputs.data as Float32Array, shape: inputs.shape },
    labels: labels.data as Int32Array,
    probabilities: { data: probabilities.data as Float32Array, shape: probabilities.shape },
  };
}

/** Checks that the three tensors agree; `code` says whether a failure is the caller's fault or the file's. */
export function validateTensors(set: TriggerSet, code: 'INVALID_ARGUMENT' | 'CORRUPT_FILE'): void {
  const fail = (message: string): never => {
    throw new ModelSealError(code, `trigger set: ${message}`);
  };
  const { inputs, labels, probabilities } = set;
  if (!(inputs.data instanceof Float32Array) || !(probabilities.data instanceof Float32Array)) {
    fail('inputs and probabilities must hold Float32Array data');
  }
  if (!(labels instanceof Int32Array)) fail('labels must be an Int32Array');
  if (inputs.shape.length < 2) fail(`inputs must be [N, ...sampleShape], got shape ${formatShape(inputs.shape)}`);
  if (probabilities.shape.length !== 2) {
    fail(`probabilities must be [N, numClasses], got shape ${formatShape(probabilities.shape)}`);
  }
  for (const [name, t] of [['inputs', inputs], ['probabilities', probabilities]] as const) {
    if (t.data.length !== sizeOf(t.shape)) {
      fail(`${name} of shape ${formatShape(t.shape)} needs ${sizeOf(t.shape)} values, got ${t.data.length}`);
    }
  }
  const rows = inputs.shape[0]!;
  const [probabilityRows = 0, numClasses = 0] = probabilities.shape;
  if (rows === 0) fail('it has no samples');
  if (labels.length !== rows) fail(`inputs has ${rows} rows but labels has ${labels.length}`);
  if (probabilityRows !== rows) fail(`inputs has ${rows} rows but probabilities has ${probabilityRows}`);
  if (numClasses < 1) fail('probabilities must have at least one class');
  const classNames = set.metadata.classNames;
  if (classNames !== undefined && classNames.length !== numClasses) {
    fail(`metadata lists ${classNames.length} class names but probabilities has ${numClasses} classes`);
  }
  labels.forEach((label, i) => {
    if (label < 0 || label >= numClasses) fail(`labels[${i}] = ${label} is outside [0, ${numClasses})`);
  });
  const nonFinite = (data: Float32Array): number => data.findIndex((v) => !Number.isFinite(v));
  const badProbability = nonFinite(probabilities.data);
  if (badProbability >= 0) {
    const r = Math.floor(badProbability / numClasses);
    fail(`probabilities[${r}, ${badProbability % numClasses}] is ${probabilities.data[badProbability]}, not finite`);
  }
  const badInput = nonFinite(inputs.data);
  if (badInput >= 0) {
    const rowSize = inputs.data.length / rows;
    fail(`inputs of sample ${Math.floor(badInput / rowSize)} hold ${inputs.data[badInput]} (flat index ${badInput})`);
  }
}
