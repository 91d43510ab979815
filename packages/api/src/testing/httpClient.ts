// Test helpers for calls over HTTP. A typed tRPC client whose requests go through the real fetch handler (no socket): what a CI
// script sees, FormData uploads included (httpLink does not batch them).
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { expect } from 'vitest';
import type { ApiDeps } from '../context.ts';
import { createHttpHandler } from '../http.ts';
import type { AppRouter } from '../router.ts';

export function httpClient(deps: ApiDeps, token: string) {
  const handler = createHttpHandler({ endpoint: '/api/trpc', deps });
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: 'http://modelseal.test/api/trpc', headers: { authorization: `Bearer ${token}` }, fetch: (url, init) => handler(new Request(url, init)) })],
  });
}

/** The tRPC error a call failed with (failing the test when it did not fail). */
export async function rejection(call: Promise<unknown>): Promise<{ code: string | undefined; message: string }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected the call to fail').toBeInstanceOf(TRPCClientError);
  const e = error as TRPCClientError<AppRouter>;
  return { code: e.data?.code, message: e.message };
}

/** Polls a job (through whichever caller `read` uses) until it has finished, for at most 150 s. */
export async function waitForFinishedJob<J extends { finishedAt: unknown; status: string; stage: string | null }>(jobId: string, read: () => Promise<J>): Promise<J> {
  const deadline = Date.now() + 150_000;
  for (;;) {
    const job = await read();
    if (job.finishedAt) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not finish: ${job.status} ${job.stage ?? ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
