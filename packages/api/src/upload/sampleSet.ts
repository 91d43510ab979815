// sampleSets.upload: a folder of images, one sub-folder per class (what a browser's directory
// picker gives, top folder stripped), becomes a bundle in the artifact store and a SampleSet row.
// The images are decoded here by the same folder loader the worker fragilizes them with, so a
// sample set that is accepted also loads in the worker.
import { extname } from 'node:path';
import { checkMemberPaths, type BundleFile } from '@modelseal/artifacts';
import { isModelSealError } from '@modelseal/core';
import { loadDataset } from '@modelseal/datasets';
import { Prisma } from '@modelseal/db';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { actingUserId } from '../lookup.ts';
import { inUploadFolder, withoutUploadFolder } from './tempFolder.ts';
import { assertCan, notFound, roleIn } from '../trpc.ts';
import { readMultipartForm, type UploadedFile } from './form.ts';
import { checkFileSizes, sampleSetLimits, type SampleSetLimits } from './limits.ts';

export const sampleSetNameSchema = z.string().trim().min(1).max(200);

const sampleSetFields = z.object({ projectId: z.uuid(), name: sampleSetNameSchema });

/** What the API shows of a sample set: metadata, never the images or where they are stored. */
export const SAMPLE_SET_METADATA = { id: true, name: true, classNames: true, sampleCount: true, createdById: true, createdAt: true } as const;

export type SampleSetSummary = Prisma.SampleSetGetPayload<{ select: typeof SAMPLE_SET_METADATA }>;

/** The image files the folder loader reads (by extension, case-insensitive). */
export const SAMPLE_IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg'];

/**
 * The folder loader takes `train/` beside `test/` as a ready-made split rather than as classes,
 * and skips names that start with a dot; both would make it read something other than what was sent.
 */
const RESERVED_CLASS_NAMES: ReadonlySet<string> = new Set(['train', 'test']);

/** The folder loader holds a fifth of the images out as a test split, and both halves must be non-empty. */
export const MIN_SAMPLES = 3;

function bad(message: string): TRPCError {
  return new TRPCError({ code: 'BAD_REQUEST', message });
}

/** Every path must be `<class>/<image>.png|jpg|jpeg`: one level of class folders, images only. */
function checkSamplePaths(paths: readonly string[]): void {
  checkMemberPaths(paths);
  for (const path of paths) {
    const segments = path.split('/');
    const shown = JSON.stringify(path.slice(0, 200));
    if (segments.length !== 2) {
      throw bad(`${shown}: sample files go one level deep, as <class>/<image>.png (one folder per class, named after it); strip the folder that holds the class folders`);
    }
    const [folder, file] = segments as [string, string];
    if (folder.startsWith('.') || file.startsWith('.')) throw bad(`${shown}: names starting with "." are hidden files, which the folder loader skips; leave them out`);
    if (RESERVED_CLASS_NAMES.has(folder)) throw bad(`${shown}: a class may not be named "${folder}" (the folder loader reads train/ and test/ as a ready-made split); rename the folder`);
    if (!SAMPLE_IMAGE_EXTENSIONS.includes(extname(file).toLowerCase())) throw bad(`${shown}: only ${SAMPLE_IMAGE_EXTENSIONS.join(', ')} images are taken`);
  }
}

/**
 * Width and height from a PNG's IHDR or a JPEG's start-of-frame header, without decoding; undefined
 * when the header cannot be found (the decoder then says what is wrong with the file).
 */
export function imageDimensions(bytes: Uint8Array): { width: number; height: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 24 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 3 < bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    // Markers without a length: TEM, RSTn, SOI, EOI.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
      at += 2;
      continue;
    }
    // Start of frame (baseline, progressive, lossless…), but not DHT (C4), JPG (C8) or DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 9 > bytes.length) return undefined;
      return { height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
    }
    at += 2 + view.getUint16(at + 2);
  }
  return undefined;
}

/** Refuses pictures too large to decode, from their headers alone. */
function checkPixels(files: readonly BundleFile[], limits: SampleSetLimits): void {
  let total = 0;
  for (const file of files) {
    const size = imageDimensions(file.bytes);
    if (size === undefined) continue;
    const pixels = size.width * size.height;
    if (pixels > limits.maxImagePixels) {
      throw new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: `${file.path} is ${size.width}×${size.height} pixels; images of at most ${limits.maxImagePixels} pixels are taken` });
    }
    total += pixels;
  }
  if (total > limits.maxTotalPixels) {
    throw new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: `the images hold ${total} pixels in all; at most ${limits.maxTotalPixels} are taken` });
  }
}

/**
 * Decodes the images with @modelseal/datasets' folder loader (`folder:` spec), laid out in a temp
 * folder exactly as the worker unpacks the bundle, and answers what it found. Like the loader, this
 * resizes nothing: every image must have the same width and height.
 */
async function loadUploadedSamples(files: readonly BundleFile[]): Promise<{ classNames: string[]; sampleCount: number }> {
  return inUploadFolder(files, 'samples', async (dir) => {
    try {
      const dataset = await loadDataset(`folder:${dir}`);
      return { classNames: [...dataset.classNames], sampleCount: dataset.train.count + dataset.test.count };
    } catch (error) {
      if (!isModelSealError(error)) throw error;
      const message = withoutUploadFolder(error.message, dir, 'the upload').replace(/, or pass a size to resize them to$/, ' (uploaded samples are not resized)');
      throw new TRPCError({ code: 'BAD_REQUEST', message: `the uploaded samples do not load: ${message}`, cause: error });
    }
  });
}

async function readFiles(files: readonly UploadedFile[]): Promise<BundleFile[]> {
  return Promise.all(files.map(async (file) => ({ path: file.name, bytes: new Uint8Array(await file.arrayBuffer()) })));
}

export async function uploadSampleSet(ctx: Context, form: FormData): Promise<SampleSetSummary> {
  const { fields, files: uploaded } = readMultipartForm(form, sampleSetFields, 'each image, named <class>/<image>.png');
  const { projectId, name } = fields;
  // Membership first: a stranger learns nothing about the project from the answers below.
  const role = await roleIn(ctx, projectId);
  if (!role) throw notFound('project');
  // Samples become the inputs of a trigger set: they are exactly as secret.
  assertCan(role, 'write', 'triggerSetInputs');
  const { artifacts } = ctx;
  if (!artifacts) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'this server takes no sample uploads (it was started without an artifact store)' });

  const limits = sampleSetLimits(ctx);
  checkFileSizes(uploaded, limits);
  checkSamplePaths(uploaded.map((file) => file.name));
  if (uploaded.length < MIN_SAMPLES) throw bad(`a sample set needs at least ${MIN_SAMPLES} images; got ${uploaded.length}`);
  // Decoding is the slow part: a name already taken is answered before it.
  if (await ctx.prisma.sampleSet.findFirst({ where: { projectId, name }, select: { id: true } })) {
    throw new TRPCError({ code: 'CONFLICT', message: 'a sample set with this name already exists in the project' });
  }

  const files = await readFiles(uploaded);
  checkPixels(files, limits);
  const loaded = await loadUploadedSamples(files);
  // Stored only once it loaded, encrypted when the store has a key (as trigger sets are).
  const bundle = await artifacts.putFiles(files, { kind: 'dataset', encrypt: artifacts.encrypts });
  try {
    return await ctx.prisma.sampleSet.create({
      data: { projectId, name, artifactRef: bundle.ref, classNames: loaded.classNames, sampleCount: loaded.sampleCount, createdById: actingUserId(ctx) },
      select: SAMPLE_SET_METADATA,
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new TRPCError({ code: 'CONFLICT', message: 'a sample set with this name already exists in the project' });
    }
    throw error;
  }
}
