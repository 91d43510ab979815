// Mounts the API on any Fetch-style server (a Next.js route handler, Bun, Deno, undici).
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createContext, type ApiDeps } from './context.ts';
import { appRouter } from './router.ts';
import { limitMultipartBody } from './upload/limitBody.ts';
import { maxMultipartBodyBytes, sampleSetLimits, uploadLimits } from './upload/limits.ts';

export interface HttpHandlerOptions {
  /** Where the API is mounted, e.g. "/api/trpc". */
  readonly endpoint: string;
  readonly deps: ApiDeps;
  readonly onError?: (error: unknown, path: string | undefined) => void;
}

/** Behind a TLS-terminating proxy the request URL is http: trust its forwarded protocol too. */
function isHttps(request: Request): boolean {
  return new URL(request.url).protocol === 'https:' || request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

export function createHttpHandler(options: HttpHandlerOptions): (request: Request) => Promise<Response> {
  // Each upload procedure has caps of its own (sample sets: many small images); the body limit
  // follows the procedure the URL names, so no upload may send more than its own caps allow.
  const modelBody = maxMultipartBodyBytes(uploadLimits(options.deps));
  const sampleSetBody = maxMultipartBodyBytes(sampleSetLimits(options.deps));
  const maxBodyBytes = (request: Request) => (new URL(request.url).pathname.endsWith('/sampleSets.upload') ? sampleSetBody : modelBody);
  return (request) =>
    fetchRequestHandler({
      endpoint: options.endpoint,
      req: limitMultipartBody(request, maxBodyBytes(request)),
      router: appRouter,
      createContext: ({ resHeaders }) =>
        createContext({ ...options.deps, headers: request.headers, resHeaders, secure: isHttps(request) }),
      ...(options.onError ? { onError: ({ error, path }: { error: unknown; path: string | undefined }) => options.onError?.(error, path) } : {}),
    });
}
