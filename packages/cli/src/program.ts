import { Command, Option } from 'commander';
import { OBJECTIVE_NAMES, PRESET_NAMES } from '@modelseal/core';
import { parseChoice, parseFraction, parseInteger, parseNonNegativeNumber, parsePositiveNumber } from './options.ts';

export interface CommandHandlers {
  train(options: Record<string, unknown>): Promise<number>;
  fragilize(options: Record<string, unknown>): Promise<number>;
  verify(options: Record<string, unknown>): Promise<number>;
  inspect(file: string, options: Record<string, unknown>): Promise<number>;
  demo(options: Record<string, unknown>): Promise<number>;
  serve(options: Record<string, unknown>): Promise<number>;
  enrol(options: Record<string, unknown>): Promise<number>;
  falseAlarms(options: Record<string, unknown>): Promise<number>;
  eval(options: Record<string, unknown>): Promise<number>;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The command-line surface; handlers are injected so the parser is testable without running models. */
export function buildProgram(handlers: CommandHandlers, setExitCode: (code: number) => void): Command {
  const program = new Command('modelseal')
    .description('Fragile watermarks for classifiers: seal a model, then verify a deployed copy with a few queries.')
    .showHelpAfterError(false)
    // Usage errors look like every other error: one "modelseal: …" line on stderr.
    .configureOutput({ outputError: (text, write) => write(`modelseal: ${text.replace(/^error: /, '')}`) })
    .exitOverride();

  const pluginOption = () => new Option('--plugin <package>', 'load an adapter plug-in package or file (repeatable)').default([]).argParser(collect);
  const adapterOption = () => new Option('--adapter <kind>', 'force an adapter kind instead of detecting it from --model');
  const allowPrivateOption = () => new Option('--allow-private', 'let an http(s) --model reach loopback or private addresses').default(false);

  program
    .command('train')
    .description('train the small demo CNN with TF.js and save it in TF.js format')
    .requiredOption('--dataset <name>', 'mnist or fashion-mnist', parseChoice('--dataset', ['mnist', 'fashion-mnist'] as const))
    .requiredOption('--out <dir>', 'folder to write model.json and weights to')
    .option('--epochs <n>', 'training epochs', parseInteger('--epochs', 1, 1000), 3)
    .option('--batch-size <n>', 'mini-batch size', parseInteger('--batch-size', 1, 65536), 64)
    .option('--seed <n>', 'seed for initialisation and shuffling', parseInteger('--seed', 0, 0xffffffff), 0)
    .option('--train-limit <n>', 'train on the first N training images only (quick experiments)', parseInteger('--train-limit', 1, 10_000_000))
    .option('--batch-norm', 'add batch normalization after each convolution', false)
    .option('--json', 'print one JSON object instead of text', false)
    .action(async (options) => setExitCode(await handlers.train(options)));

  program
    .command('fragilize')
    .description('turn correctly classified test samples into fragile samples and write a trigger set')
    .requiredOption('--model <path|url>', 'TF.js model.json (or its folder), an http(s) model URL, or a plug-in adapter’s location')
    .requiredOption('--dataset <spec>', 'mnist, fashion-mnist, cifar-10:DIR, cifar-100:DIR, idx:IMAGES,LABELS or folder:DIR')
    .requiredOption('--count <n>', 'number of trigger samples', parseInteger('--count', 1, 100000))
    .requiredOption('--out <file>', 'trigger-set file to write (.safetensors)')
    .addOption(new Option('--preset <name>', 'default (6- to 8-class tie on the candidates cheapest to tie), boundary (two-class boundary, fastest), junction (10-class tie, sensitivity first) or paper (Algorithm 1: ε 1e-4 × 10,000)').choices(PRESET_NAMES).default('default'))
    .addOption(new Option('--objective <name>', 'objective to descend').choices(OBJECTIVE_NAMES))
    .option('--epsilon <x>', 'step size ε (initial step for the default preset)', parsePositiveNumber('--epsilon'))
    .option('--iterations <n>', 'maximum iterations', parseInteger('--iterations', 1, 1_000_000))
    .option('--tie-classes <k>', 'junction presets: how many classes must tie (ChangeRate ceiling ≈ (k−1)/k, lower PSNR)', parseInteger('--tie-classes', 2, 1000))
    .option('--max-tie-classes <k>', 'junction presets: largest tie a sample may get (default preset: 8)', parseInteger('--max-tie-classes', 2, 1000))
    .option('--min-tie-classes <k>', 'junction presets with --tie-mean-psnr: smallest tie a sample may get (default preset: 5)', parseInteger('--min-tie-classes', 2, 1000))
    .option('--tie-mean-psnr <db>', 'junction presets: share tie sizes out over the set so that the mean first-order PSNR stays at or above this (default preset: 25.85, about 25 dB in the end); 0 to size each sample alone with --tie-psnr', parseNonNegativeNumber('--tie-mean-psnr'))
    .option('--tie-psnr <db>', 'junction presets without --tie-mean-psnr: a sample ties more than --tie-classes classes while its first-order PSNR stays at or above this', parsePositiveNumber('--tie-psnr'))
    .option('--max-evaluations <n>', 'junction presets: gradient evaluations one sample may spend (default preset: 180, i.e. 195 with choosing it); 0 for no limit', parseInteger('--max-evaluations', 0, 100_000_000))
    .addOption(new Option('--selection <kind>', 'trigger candidates: seeded (first correctly classified of a seeded shuffle) or junction-distance (the ones nearest a --tie-classes tie in a larger pool); default from the preset').choices(['seeded', 'junction-distance']))
    .option('--selection-pool <n>', 'junction-distance selection: pool size as a multiple of --count', parseInteger('--selection-pool', 1, 1000))
    .option('--selection-screen <n>', 'junction-distance selection: how many pool samples (× --count), nearest a tie by their probabilities, get exact distances', parseInteger('--selection-screen', 1, 1000))
    .addOption(new Option('--tie-top <which>', 'junction presets: the tied class that ends on top: probe (default preset; a short fine-tune of the model on training data, undone afterwards, picks runner-up or last), runner-up (flips when a change favours the sample’s own class), last (the class the image supports least; better where fine-tuning pushes implausible classes down, e.g. Fashion-MNIST), original').choices(['probe', 'runner-up', 'last', 'original']))
    .option('--spare-candidates <fraction>', 'spares drawn as a fraction of --count and fragilized in place of samples that end outside the margin band (default preset: 0.1); 0 keeps every sample', parseFraction('--spare-candidates'))
    .option('--min-margin <x>', 'smallest top-1/top-2 margin a kept sample may have', parsePositiveNumber('--min-margin'))
    .option('--target-margin <x>', 'a sample is done once its margin is at most this', parsePositiveNumber('--target-margin'))
    .addOption(new Option('--gradient <kind>', 'exact (vjp), or nes/spsa estimated from probabilities (default: exact when the adapter has it, else nes)').choices(['exact', 'nes', 'spsa']))
    .option('--probes <n>', 'nes/spsa: antithetic probe pairs per sample and step', parseInteger('--probes', 1, 100000))
    .option('--sigma <x>', 'nes/spsa: probe radius in input units', parsePositiveNumber('--sigma'))
    .option('--seed <n>', 'seed for sample selection and randomised steps', parseInteger('--seed', 0, 0xffffffff), 0)
    .option('--preview <png>', 'also write a PNG of original | fragile | difference ×10')
    .option('--signing-key-file <file>', 'HMAC key to sign the set (default: $MODELSEAL_SIGNING_KEY)')
    .addOption(adapterOption())
    .addOption(allowPrivateOption())
    .addOption(pluginOption())
    .option('--json', 'print one JSON object instead of text', false)
    .action(async (options) => setExitCode(await handlers.fragilize(options)));

  program
    .command('verify')
    .description('query a model with a trigger set: exit 0 intact, 1 tampered, 2 error')
    .requiredOption('--model <path|url>', 'the model to check')
    .requiredOption('--triggers <file>', 'trigger-set file written by fragilize')
    .addOption(new Option('--mode <mode>', 'label (top-1 only) or probability (whole vectors)').choices(['label', 'probability']).default('label'))
    .option('--batch-size <n>', 'samples per request', parseInteger('--batch-size', 1, 65536))
    .option('--tolerance <x>', 'probability mode: largest allowed per-class change', parsePositiveNumber('--tolerance'))
    .option('--signing-key-file <file>', 'HMAC key the set must be signed with (default: $MODELSEAL_SIGNING_KEY)')
    .addOption(adapterOption())
    .addOption(allowPrivateOption())
    .addOption(pluginOption())
    .option('--json', 'print one JSON object instead of text', false)
    .action(async (options) => setExitCode(await handlers.verify(options)));

  program
    .command('enrol')
    .description('query the deployed model under benign changes, drop unstable trigger samples and record the noise floor and probability tolerance')
    .requiredOption('--model <path|url>', 'the deployed model')
    .requiredOption('--triggers <file>', 'trigger-set file written by fragilize')
    .option('--out <file>', 'enrolled trigger-set file to write (required unless --dry-run)')
    .option('--repeats <n>', 'passes over the set per benign variant', parseInteger('--repeats', 1, 1000), 3)
    .option('--variants <list>', 'comma-separated benign changes: batch, shuffle, threads (ONNX), backend (TF.js)', 'batch,shuffle,threads,backend')
    .option('--safety-factor <x>', 'probability tolerance = this × the noise floor (at least 1)', parsePositiveNumber('--safety-factor'), 10)
    .option('--min-tolerance <x>', 'smallest probability tolerance to record', parsePositiveNumber('--min-tolerance'))
    .option('--keep <n>', 'keep at most this many stable samples', parseInteger('--keep', 1, 1_000_000))
    .option('--seed <n>', 'seed of the shuffled batch compositions', parseInteger('--seed', 0, 0xffffffff), 0)
    .option('--dry-run', 'measure and report, write nothing', false)
    .option('--signing-key-file <file>', 'HMAC key to check the input and sign the output (default: $MODELSEAL_SIGNING_KEY)')
    .addOption(adapterOption())
    .addOption(allowPrivateOption())
    .addOption(pluginOption())
    .option('--json', 'print one JSON object instead of text', false)
    .action(async (options) => setExitCode(await handlers.enrol(options)));

  program
    .command('false-alarms')
    .description('run the unmodified model on a trigger set under benign changes: label flips, largest probability change, false alarms')
    .requiredOption('--model <path|url>', 'the model, unmodified')
    .requiredOption('--triggers <file>', 'trigger-set file (enrolled sets are checked at their recorded tolerance)')
    .option('--repeats <n>', 'passes over the set per benign variant', parseInteger('--repeats', 1, 1000), 3)
    .option('--variants <list>', 'comma-separated benign changes: batch, shuffle, threads (ONNX), backend (TF.js)', 'batch,shuffle,threads,backend')
    .option('--seed <n>', 'seed of the shuffled batch compositions', parseInteger('--seed', 0, 0xffffffff), 0)
    .option('--signing-key-file <file>', 'HMAC key the set must be signed with (default: $MODELSEAL_SIGNING_KEY)')
    .addOption(adapterOption())
    .addOption(allowPrivateOption())
    .addOption(pluginOption())
    .option('--json', 'print one JSON object instead of text', false)
    .action(async (options) => setExitCode(await handlers.falseAlarms(options)));

  program
    .command('eval')
    .description('run an evaluation study (baselines × attacks × seeds) and print the paper-style ChangeRate tables')
    .requiredOption('--config <file>', 'study config (JSON), e.g. packages/eval/configs/mnist-cnn-noise.json')
    .option('--out <dir>', 'folder for results.json and the SVG figures', 'eval-out')
    .option('--model <path>', "use this model instead of the config's (TF.js folder/model.json or .onnx)")
    .option('--json', 'print one JSON object instead of tables', false)
    .action(async (options) => setExitCode(await handlers.eval(options)));

  program
    .command('inspect')
    .description('show what a trigger-set file holds (never its inputs)')
    .argument('<file>', 'trigger-set file')
    .option('--signing-key-file <file>', 'check the signature with this key (default: $MODELSEAL_SIGNING_KEY)')
    .option('--json', 'print JSON instead of text', false)
    .action(async (file: string, options) => setExitCode(await handlers.inspect(file, options)));

  program
    .command('serve')
    .description('serve a model over the Open Inference Protocol v2 (and TF Serving REST) until interrupted')
    .requiredOption('--model <path|url>', 'the model to serve')
    .requiredOption('--port <n>', 'TCP port (0 picks a free one)', parseInteger('--port', 0, 65535))
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--name <name>', 'model name in URLs', 'model')
    .addOption(adapterOption())
    .addOption(allowPrivateOption())
    .addOption(pluginOption())
    .action(async (options) => setExitCode(await handlers.serve(options)));

  program
    .command('demo')
    .description('end to end on the MNIST demo model: fragilize 100 samples, verify intact, add noise, verify tampered')
    .option('--work-dir <dir>', 'where to write the demo files', '.modelseal/demo')
    .option('--count <n>', 'trigger samples', parseInteger('--count', 1, 10000), 100)
    .option('--noise-std <x>', 'std of the Gaussian noise added to every weight', parsePositiveNumber('--noise-std'), 1e-4)
    .option('--retrain', 'train the demo model instead of loading the committed one', false)
    .option('--json', 'print one JSON object instead of text', false)
    .action(async (options) => setExitCode(await handlers.demo(options)));

  return program;
}
