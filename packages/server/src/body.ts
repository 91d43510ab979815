import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.ts';

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `request body is larger than the server's limit of ${limit} bytes`);
}

/**
 * Reads the whole body as UTF-8, refusing more than `limit` bytes. The declared
 * Content-Length is checked first so that an oversized upload is refused before
 * any of it is buffered.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    request.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', (error) => {
      if (!failed) reject(error);
      failed = true;
    });
    // A client that hangs up mid-body fires neither 'end' nor always 'error'.
    request.on('close', () => {
      if (!request.complete && !failed) {
        failed = true;
        reject(new HttpError(400, 'the client closed the connection before the request body was complete'));
      }
    });
  });
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
}
