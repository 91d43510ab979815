// Which adapters take uploaded files, and which of the files each one opens.
import { extname, posix } from 'node:path';
import { TRPCError } from '@trpc/server';

export interface UploadFormat {
  /** File extensions (lower case, with the dot) an upload for this adapter may contain. */
  readonly accepts: readonly string[];
  /** The config field that names the file the adapter opens, relative to the upload's root. */
  readonly entryKey: 'path';
  /** Picks that file among the uploaded paths, or says why none fits. */
  entry(paths: readonly string[]): string;
}

function badUpload(message: string): TRPCError {
  return new TRPCError({ code: 'BAD_REQUEST', message });
}

const lowerExt = (path: string) => extname(path).toLowerCase();

const onnx: UploadFormat = {
  accepts: ['.onnx'],
  entryKey: 'path',
  entry(paths) {
    const models = paths.filter((path) => lowerExt(path) === '.onnx');
    if (models.length !== 1) throw badUpload(`an ONNX upload needs exactly one .onnx file; got ${models.length}${models.length ? ` (${models.join(', ')})` : ''}`);
    return models[0]!;
  },
};

/** TF.js reads this beside model.json for class names and value range; it is never the model. */
const TFJS_SIDECAR = 'modelseal-model.json';

const tfjs: UploadFormat = {
  accepts: ['.json', '.bin'],
  entryKey: 'path',
  entry(paths) {
    if (paths.includes('model.json')) return 'model.json';
    const candidates = paths.filter((path) => lowerExt(path) === '.json' && posix.basename(path) !== TFJS_SIDECAR);
    if (candidates.length === 1) return candidates[0]!;
    throw badUpload(
      candidates.length === 0
        ? 'a TF.js upload needs its model.json (the topology and weights manifest) beside the .bin weight files'
        : `a TF.js upload may hold only one model .json; got ${candidates.join(', ')} (name the model's own model.json)`,
    );
  },
};

/** Built-in kinds only: a third-party adapter's files and entry conventions are unknown here. */
const FORMATS: Readonly<Record<string, UploadFormat>> = { onnx, tfjs };

export function uploadFormat(kind: string): UploadFormat | undefined {
  return Object.hasOwn(FORMATS, kind) ? FORMATS[kind] : undefined;
}

/** Refuses files the adapter would not read (a stray .exe, a .pb of another format). */
export function checkExtensions(kind: string, format: UploadFormat, paths: readonly string[]): void {
  const odd = paths.filter((path) => !format.accepts.includes(lowerExt(path)));
  if (odd.length > 0) throw badUpload(`the ${kind} adapter takes only ${format.accepts.join(', ')} files; not ${odd.slice(0, 5).join(', ')}`);
}
