import { TRPCError } from '@trpc/server';
import type { ApiDeps } from '../context.ts';

/** Caps on how many files an upload has and how large they are. */
export interface FileLimits {
  /** Largest single file of an upload, in bytes. */
  readonly maxFileBytes: number;
  /** Largest upload, all files together, in bytes. */
  readonly maxTotalBytes: number;
  readonly maxFiles: number;
}

/** Caps on models.upload. */
export type UploadLimits = FileLimits;

/**
 * Caps on sampleSets.upload. Images are decoded into memory as floats to be checked (by the API)
 * and fragilized (by the worker), so their pixels are capped as well as their bytes: a small,
 * well-compressed PNG can claim a huge picture.
 */
export interface SampleSetLimits extends FileLimits {
  /** Largest image, width × height, read from the file's header before anything is decoded. */
  readonly maxImagePixels: number;
  /** All images together, width × height summed. */
  readonly maxTotalPixels: number;
}

const MIB = 1024 * 1024;

/** Big enough for common image classifiers (a ResNet-50 is ~100 MiB), small enough to hold in memory. */
export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { maxFileBytes: 512 * MIB, maxTotalBytes: 512 * MIB, maxFiles: 100 };

/**
 * As many images as a fragilize job takes (count ≤ 10,000); 32 Mi pixels in all is 10,000 MNIST
 * digits forty times over, or about 650 ImageNet-sized (224 × 224) pictures.
 */
export const DEFAULT_SAMPLE_SET_LIMITS: SampleSetLimits = {
  maxFiles: 10_000,
  maxFileBytes: 8 * MIB,
  maxTotalBytes: 256 * MIB,
  maxImagePixels: 4096 * 4096,
  maxTotalPixels: 32 * MIB,
};

/** Room around the files for the multipart framing and the form's text fields. */
export const MULTIPART_OVERHEAD_BYTES = MIB;

/** Multipart framing per file (boundary, part headers, the file's path as its name). */
const MULTIPART_BYTES_PER_FILE = 1024;

export function uploadLimits(deps: Pick<ApiDeps, 'uploadLimits'>): UploadLimits {
  return { ...DEFAULT_UPLOAD_LIMITS, ...deps.uploadLimits };
}

export function sampleSetLimits(deps: Pick<ApiDeps, 'sampleSetLimits'>): SampleSetLimits {
  return { ...DEFAULT_SAMPLE_SET_LIMITS, ...deps.sampleSetLimits };
}

/** The largest multipart request body an upload under these limits may send, framing included. */
export function maxMultipartBodyBytes(limits: FileLimits): number {
  return limits.maxTotalBytes + MULTIPART_OVERHEAD_BYTES + limits.maxFiles * MULTIPART_BYTES_PER_FILE;
}

/** Refuses an upload with too many files, or files too large one by one or together (PAYLOAD_TOO_LARGE). */
export function checkFileSizes(files: readonly { readonly name: string; readonly size: number }[], limits: FileLimits): void {
  const tooLarge = (message: string) => new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message });
  if (files.length > limits.maxFiles) throw tooLarge(`the upload has ${files.length} files; at most ${limits.maxFiles} are taken`);
  for (const file of files) {
    if (file.size > limits.maxFileBytes) throw tooLarge(`${file.name} is ${formatBytes(file.size)}; files of at most ${formatBytes(limits.maxFileBytes)} are taken`);
  }
  const total = files.reduce((sum, file) => sum + file.size, 0);
  if (total > limits.maxTotalBytes) throw tooLarge(`the upload is ${formatBytes(total)}; at most ${formatBytes(limits.maxTotalBytes)} in all is taken`);
}

/** "512 MiB", "1.5 KiB": limits in messages. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}
