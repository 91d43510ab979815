import type { ApiDeps } from '../context.ts';

export interface UploadLimits {
  /** Largest single file of an upload, in bytes. */
  readonly maxFileBytes: number;
  /** Largest upload, all files together, in bytes. */
  readonly maxTotalBytes: number;
  readonly maxFiles: number;
}

const MIB = 1024 * 1024;

/** Big enough for common image classifiers (a ResNet-50 is ~100 MiB), small enough to hold in memory. */
export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { maxFileBytes: 512 * MIB, maxTotalBytes: 512 * MIB, maxFiles: 100 };

/** Room around the files for the multipart framing and the form's text fields. */
export const MULTIPART_OVERHEAD_BYTES = MIB;

export function uploadLimits(deps: Pick<ApiDeps, 'uploadLimits'>): UploadLimits {
  return { ...DEFAULT_UPLOAD_LIMITS, ...deps.uploadLimits };
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
