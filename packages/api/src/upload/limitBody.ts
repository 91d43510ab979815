import { TRPCError } from '@trpc/server';
import { formatBytes } from './limits.ts';

function tooLarge(maxBytes: number): TRPCError {
  return new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: `the request body is larger than ${formatBytes(maxBytes)}, more than this upload may be` });
}

/**
 * tRPC reads a multipart body (models.upload) whole into memory before the procedure can look
 * at it: stop reading once the body is bigger than an upload may be, declared or not. Other
 * requests pass through untouched.
 */
export function limitMultipartBody(request: Request, maxBytes: number): Request {
  if (request.body === null || !(request.headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) return request;
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  let seen = 0;
  const limited = request.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      start(controller) {
        if (declared > maxBytes) controller.error(tooLarge(maxBytes));
      },
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) controller.error(tooLarge(maxBytes));
        else controller.enqueue(chunk);
      },
    }),
  );
  // duplex is required by Node's fetch for a streamed body but missing from the RequestInit type.
  const init: RequestInit & { duplex: 'half' } = { method: request.method, headers: request.headers, body: limited, signal: request.signal, duplex: 'half' };
  return new Request(request.url, init);
}
