import cliProgress from 'cli-progress';

export interface ProgressReporter {
  start(total: number, label: string): void;
  update(value: number, detail?: string): void;
  stop(): void;
}

/**
 * A bar on an interactive terminal; on a pipe or in CI a line every 10 %, so logs
 * show progress without thousands of carriage returns; nothing at all with --json.
 */
export function createProgress(options: { json: boolean; stream?: NodeJS.WriteStream }): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  if (options.json) return { start() {}, update() {}, stop() {} };
  if (stream.isTTY) {
    let bar: cliProgress.SingleBar | undefined;
    return {
      start(total, label) {
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: `${label.padEnd(12)} [{bar}] {percentage}% {value}/{total} {detail}`,
            hideCursor: true,
            clearOnComplete: false,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0, { detail: '' });
      },
      update(value, detail = '') {
        bar?.update(value, { detail });
      },
      stop() {
        bar?.stop();
        bar = undefined;
      },
    };
  }
  let total = 0;
  let label = '';
  let nextDecile = 1;
  return {
    start(t, l) {
      total = t;
      label = l;
      nextDecile = 1;
    },
    update(value, detail = '') {
      if (total <= 0) return;
      let crossed = 0;
      while (nextDecile <= 10 && value >= (nextDecile * total) / 10) crossed = nextDecile++;
      if (crossed > 0) stream.write(`${label}: ${crossed * 10}% (${value}/${total}) ${detail}`.trimEnd() + '\n');
    },
    stop() {},
  };
}
