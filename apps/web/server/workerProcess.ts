// The platform's worker runs in a child process: fragilization is CPU-bound and would otherwise
// stall the API and the dashboard on the same event loop. The child is the same program as
// `pnpm worker`, configured through its environment, restarted if it dies.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKER_MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../worker/src/main.ts');
/** SIGTERM lets running jobs finish (the worker's own grace is 30 s); after this it is killed. */
const STOP_TIMEOUT_MS = 40_000;
const RESTART_DELAY_MS = 2_000;

export interface WorkerProcess {
  stop(): Promise<void>;
}

export function startWorkerProcess(options: { env: Record<string, string | undefined>; log: (line: string) => void }): WorkerProcess {
  const { log } = options;
  let child: ChildProcess | undefined;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;

  const launch = () => {
    const tsx = import.meta.resolve('tsx');
    const proc = spawn(process.execPath, ['--import', tsx, WORKER_MAIN], { env: options.env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    for (const stream of [proc.stdout, proc.stderr]) {
      createInterface({ input: stream }).on('line', (line) => log(`[worker] ${line}`));
    }
    proc.on('exit', (code, signal) => {
      if (child === proc) child = undefined;
      if (stopping) return;
      // Its running job is taken over through the queue's heartbeat; start a fresh worker.
      log(`[worker] exited (${signal ?? `code ${code}`}); restarting in ${RESTART_DELAY_MS / 1000} s`);
      restartTimer = setTimeout(launch, RESTART_DELAY_MS);
    });
  };
  launch();

  return {
    stop: async () => {
      stopping = true;
      clearTimeout(restartTimer);
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      await new Promise<void>((done) => {
        const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
        proc.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        proc.kill('SIGTERM');
      });
    },
  };
}
