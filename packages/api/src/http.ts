// Mounts the API on any Fetch-style server (a Next.js route handler, Bun, Deno, undici).
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createContext, type ApiDeps } from './context.ts';
import { appRouter } from './router.ts';

export interface HttpHandlerOptions {
  /** Where the API is mounted, e.g. "/api/trpc". */
  readonly endpoint: string;
  readonly deps: ApiDeps;
  readonly onError?: (error: unknown, path: string | undefined) => void;
}

export function createHttpHandler(options: HttpHandlerOptions): (request: Request) => Promise<Response> {
  return (request) =>
    fetchRequestHandler({
      endpoint: options.endpoint,
      req: request,
      router: appRouter,
      createContext: () => createContext({ ...options.deps, headers: request.headers }),
      ...(options.onError ? { onError: ({ error, path }: { error: unknown; path: string | undefined }) => options.onError?.(error, path) } : {}),
    });
}
