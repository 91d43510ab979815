import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';

export type ExecutionProviderChoice = 'auto' | 'cpu' | 'cuda';
export type ExecutionProviderName = 'cpu' | 'cuda';

export const ORT_VERSION: string = ort.env.versions.node ?? 'unknown';

export interface SessionSettings {
  readonly threads: number;
  readonly provider: ExecutionProviderName;
}

function sessionOptions(settings: SessionSettings): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [settings.provider],
    intraOpNumThreads: settings.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // Errors reach the caller as exceptions; ORT's own console output would only duplicate them.
    logSeverityLevel: 3,
  };
}

export async function createSession(model: Uint8Array, settings: SessionSettings): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model, sessionOptions(settings));
}

const CUDA_LIBRARY: Partial<Record<string, string>> = {
  linux: 'libonnxruntime_providers_cuda.so',
  win32: 'onnxruntime_providers_cuda.dll',
};

/**
 * Why CUDA cannot work here, when that is visible without trying: onnxruntime-node
 * downloads its CUDA provider library at install time (which ModelSeal disables), and
 * trying to load a missing one makes ONNX Runtime print a multi-line error of its own.
 */
function cudaUnavailableReason(): string | undefined {
  const library = CUDA_LIBRARY[process.platform];
  if (!library || process.arch !== 'x64') return `no CUDA build of ONNX Runtime for ${process.platform}/${process.arch}`;
  const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
  const folder = join(dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
  return existsSync(join(folder, library)) ? undefined : `${library} is not installed with onnxruntime-node`;
}

export interface ProviderChoice {
  readonly session: ort.InferenceSession;
  readonly provider: ExecutionProviderName;
  /** Why CUDA was not used, when it was asked for or tried. */
  readonly fallbackReason?: string;
}

/**
 * Opens `model` on CUDA when asked or available, else on CPU. A machine without a
 * GPU (or without ONNX Runtime's CUDA libraries) is an ordinary case, not an error.
 */
export async function createSessionWithFallback(
  model: Uint8Array,
  choice: ExecutionProviderChoice,
  threads: number,
): Promise<ProviderChoice> {
  if (choice !== 'cpu') {
    const missing = cudaUnavailableReason();
    if (missing !== undefined) {
      return { session: await createSession(model, { threads, provider: 'cpu' }), provider: 'cpu', fallbackReason: missing };
    }
    try {
      const session = await ort.InferenceSession.create(model, {
        ...sessionOptions({ threads, provider: 'cuda' }),
        // A failure to start CUDA (no GPU, no driver) becomes the one-line fallback reason instead.
        logSeverityLevel: 4,
      });
      return { session, provider: 'cuda' };
    } catch (error) {
      const reason = firstLine(error);
      const session = await createSession(model, { threads, provider: 'cpu' });
      return { session, provider: 'cpu', fallbackReason: reason };
    }
  }
  return { session: await createSession(model, { threads, provider: 'cpu' }), provider: 'cpu' };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 200);
}

export interface FloatFeed {
  readonly data: Float32Array | Float64Array;
  readonly dims: readonly number[];
}

export interface FloatResult {
  readonly data: Float32Array | Float64Array;
  readonly dims: readonly number[];
}

/** Runs `session` on float tensors and returns the requested float outputs. */
export async function runFloat(
  session: ort.InferenceSession,
  feeds: Readonly<Record<string, FloatFeed>>,
  outputNames: readonly string[],
): Promise<FloatResult[]> {
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, feed] of Object.entries(feeds)) {
    const type = feed.data instanceof Float64Array ? 'float64' : 'float32';
    ortFeeds[name] = new ort.Tensor(type, feed.data, feed.dims);
  }
  const results = await session.run(ortFeeds, [...outputNames]);
  return outputNames.map((name) => {
    const tensor = results[name]!;
    const data = tensor.data;
    if (!(data instanceof Float32Array) && !(data instanceof Float64Array)) {
      throw new Error(`output "${name}" is ${tensor.type}, not a float tensor`);
    }
    return { data, dims: tensor.dims };
  });
}

/** Runs `session` and returns only the shapes of the requested outputs (any element type). */
export async function runForShapes(
  session: ort.InferenceSession,
  feeds: Readonly<Record<string, FloatFeed>>,
  outputNames: readonly string[],
): Promise<Map<string, number[]>> {
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, feed] of Object.entries(feeds)) {
    ortFeeds[name] = new ort.Tensor(feed.data instanceof Float64Array ? 'float64' : 'float32', feed.data, feed.dims);
  }
  const results = await session.run(ortFeeds, [...outputNames]);
  return new Map(outputNames.map((name) => [name, [...results[name]!.dims]]));
}

export async function releaseSession(session: ort.InferenceSession | undefined): Promise<void> {
  if (session) await session.release();
}
