// A real worker for API tests, fast-polling, sharing the harness's database and artifact store.
import { join } from 'node:path';
import { startWorker, type RunningWorker } from '@modelseal/worker';
import { REPO_ROOT, TEST_ARTIFACT_KEY, TEST_MODEL_ROOTS, type Harness } from './harness.ts';

/** 28×28 grayscale in, ten digit logits out (NCHW [1, 28, 28]). */
export const ONNX_MNIST_MODEL = join(REPO_ROOT, 'packages/adapters/onnx/fixtures/cnn_mnist_logits.onnx');

/** `modelRoots` as the API was given them (default: the harness's), so both open the same models. */
export function startTestWorker(h: Harness, options: { modelRoots?: readonly string[] } = {}): Promise<RunningWorker> {
  return startWorker({
    databaseUrl: h.db.url,
    artifactsDir: h.deps.artifactsDir,
    artifactKey: TEST_ARTIFACT_KEY,
    modelRoots: options.modelRoots ?? TEST_MODEL_ROOTS,
    pollingIntervalSeconds: 0.5,
    superviseIntervalSeconds: 2,
    progressIntervalMs: 100,
    cancelPollMs: 200,
    shutdownTimeoutMs: 5_000,
    scheduleSyncSeconds: 0,
    log: () => {},
  });
}
