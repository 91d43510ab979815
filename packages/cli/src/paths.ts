import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root (this file lives in packages/cli/src). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Demo models committed to the repository, trained by `modelseal train`. */
export const DEMO_MODELS = {
  mnist: join(REPO_ROOT, 'models', 'mnist-cnn'),
  'fashion-mnist': join(REPO_ROOT, 'models', 'fashion-mnist-cnn'),
} as const;
