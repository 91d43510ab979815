#!/usr/bin/env node
import { CommanderError } from 'commander';
import { buildProgram } from './program.ts';
import { EXIT, formatError } from './ui/errors.ts';

let exitCode: number = EXIT.ok;
const program = buildProgram(
  {
    train: async (o) => (await import('./commands/train.ts')).runTrain(o as never),
    fragilize: async (o) => (await import('./commands/fragilize.ts')).runFragilize(o as never),
    verify: async (o) => (await import('./commands/verify.ts')).runVerify(o as never),
    inspect: async (file, o) => (await import('./commands/inspect.ts')).runInspect({ ...(o as object), file } as never),
    demo: async (o) => (await import('./commands/demo.ts')).runDemo(o as never),
    serve: async (o) => (await import('./commands/serve.ts')).runServe(o as never),
    eval: async (o) => (await import('./commands/eval.ts')).runEval(o as never),
    enrol: async (o) => (await import('./commands/enrol.ts')).runEnrol(o as never),
    falseAlarms: async (o) => (await (await import('./commands/enrol.ts')).runFalseAlarmStudy(o as never)).code,
  },
  (code) => {
    exitCode = code;
  },
);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are successful exits; everything else is a usage error.
    exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.error;
  } else {
    process.stderr.write(`${formatError(error)}\n`);
    exitCode = EXIT.error;
  }
}
// Adapters may hold worker threads or sockets; the exit status is all that is left to report.
process.exit(exitCode);
