import cliProgress from 'cli-progress';

export interface ProgressReporter {
  start(total: number, label: string): void;
  update(value: number, detail?: string): void;
  stop(): void;
}

export interface ProgressOptions {
  readonly json: boolean;
  readonly stream?: NodeJS.WriteStream;
  /** On a pipe, a changed detail is also printed once this long has passed since the last line. */
  readonly quietMs?: number;
  /** Injected by tests. */
  readonly now?: () => number;
}

/**
 * A bar on an interactive terminal; on a pipe or in CI a line every 10 %, plus the current
 * step when it changed and a minute has passed, so logs of long studies (whose 10 % can
 * take a quarter of an hour) show life without thousands of carriage returns; nothing at
 * all with --json.
 */
export function createProgress(options: ProgressOptions): ProgressReporter {
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
  const now = options.now ?? Date.now;
  const quietMs = options.quietMs ?? 60_000;
  let total = 0;
  let label = '';
  let nextDecile = 1;
  let lastLine = 0;
  let lastDetail = '';
  return {
    start(t, l) {
      total = t;
      label = l;
      nextDecile = 1;
      lastLine = now();
      lastDetail = '';
    },
    update(value, detail = '') {
      if (total <= 0) return;
      let crossed = 0;
      while (nextDecile <= 10 && value >= (nextDecile * total) / 10) crossed = nextDecile++;
      const stale = detail !== lastDetail && detail !== '' && now() - lastLine >= quietMs;
      if (crossed === 0 && !stale) return;
      const percent = crossed > 0 ? crossed * 10 : Math.floor((value / total) * 100);
      stream.write(`${label}: ${percent}% (${value}/${total}) ${detail}`.trimEnd() + '\n');
      lastLine = now();
      lastDetail = detail;
    },
    stop() {},
  };
}
