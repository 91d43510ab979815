import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ModelSealError } from '@modelseal/core';
import { formatTables, parseStudyConfig, runStudy, studyFigures, type RunStudyOptions, type StudyResult } from '@modelseal/eval';
import { createProgress, type ProgressReporter } from '../ui/progress.ts';

export interface EvalCommandOptions {
  /** Study config (JSON); its relative model path starts from the config's folder. */
  readonly config: string;
  /** Folder for results.json and the figures. */
  readonly out: string;
  /** Replaces the config's model (relative to the current folder), e.g. a fixture kept outside the repository. */
  readonly model?: string;
  readonly json: boolean;
  /** Injected by tests: a progress sink and the study's model opener. */
  readonly progress?: ProgressReporter;
  readonly openModel?: RunStudyOptions['openModel'];
  readonly write?: (text: string) => void;
}

async function readConfig(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ModelSealError('INVALID_CONFIG', `cannot read study config ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ModelSealError('INVALID_CONFIG', `${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Runs a study from a config, prints the paper-style tables and writes results.json and the SVG figures. */
export async function runEval(options: EvalCommandOptions): Promise<number> {
  const configPath = resolve(options.config);
  const parsed = parseStudyConfig(await readConfig(configPath), options.config);
  const config = options.model ? { ...parsed, model: resolve(options.model) } : parsed;
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const progress = options.progress ?? createProgress({ json: options.json });
  let started = false;
  const result: StudyResult = await runStudy(config, {
    baseDir: dirname(configPath),
    // Results name the model as typed, not by an absolute path of this machine.
    ...(options.model ? { modelLabel: options.model } : {}),
    ...(options.openModel ? { openModel: options.openModel } : {}),
    onProgress: ({ done, total, detail }) => {
      if (!started) {
        progress.start(total, 'eval');
        started = true;
      }
      progress.update(done, detail);
    },
  });
  progress.stop();

  await mkdir(options.out, { recursive: true });
  const figures = studyFigures(result);
  const files = [join(options.out, 'results.json'), ...figures.map((f) => join(options.out, f.file))];
  await writeFile(files[0]!, `${JSON.stringify(result, null, 2)}\n`);
  for (const figure of figures) await writeFile(join(options.out, figure.file), figure.svg);

  if (options.json) {
    write(`${JSON.stringify({ ...result, files })}\n`);
  } else {
    write(`${formatTables(result)}\n\nwrote ${files.join(', ')}\n`);
  }
  return 0;
}
