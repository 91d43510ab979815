import { STATUS_CODES } from 'node:http';
import { ModelSealError } from '@modelseal/core';
import type { AddressGuard } from './address-guard.ts';
import { ERROR_CODES } from './codes.ts';
import { displayEndpoint, endpoint, type ModelTarget } from './model-url.ts';
import { backoffDelay, DEFAULT_BACKOFF, RETRYABLE_STATUSES, retryAfterMs, sleep, type BackoffPolicy } from './retry.ts';
import { Agents, sendOnce, type RawResponse } from './transport.ts';
import { TransportError } from './transport-error.ts';

export interface ClientOptions {
  readonly target: ModelTarget;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly guard: AddressGuard;
  readonly backoff?: BackoffPolicy;
  readonly maxResponseBytes?: number;
}

export interface RequestSpec {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string;
  readonly signal?: AbortSignal;
  /** Runs right before each attempt goes out (after the address check); throwing stops the request unsent. */
  readonly beforeAttempt?: () => void;
}

export interface RemoteAnswer extends RawResponse {
  readonly attempts: number;
  /** "POST http://host/v2/models/m/infer", for messages. */
  readonly where: string;
}

const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

function snippet(text: string, length = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length)}…` : flat;
}

function attemptsText(attempts: number): string {
  return attempts === 1 ? '1 attempt' : `${attempts} attempts`;
}

/** The server's own explanation of an error status: `{error: "…"}` (OIP, TF Serving) or the start of the body. */
function serverMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { error?: unknown }).error === 'string') {
      return snippet((parsed as { error: string }).error, 300);
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return snippet(text);
}

/** HTTP with retries, backoff, address checks and clear errors, for one remote model. */
export class RemoteClient {
  readonly #options: ClientOptions;
  readonly #agents = new Agents();
  readonly #backoff: BackoffPolicy;

  constructor(options: ClientOptions) {
    this.#options = options;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  get target(): ModelTarget {
    return this.#options.target;
  }

  /**
   * Sends with retries on 429/502/503/504, timeouts and connection failures. Returns
   * the last answer whatever its status; throws only when no answer came back.
   */
  async send(spec: RequestSpec): Promise<RemoteAnswer> {
    const { target, headers, timeoutMs, retries, guard } = this.#options;
    const url = endpoint(target, spec.path);
    const where = `${spec.method} ${displayEndpoint(target, spec.path)}`;
    for (let attempt = 1; ; attempt++) {
      let delay: number;
      if (spec.signal?.aborted) throw new ModelSealError('ABORTED', `${where} was cancelled`, { cause: spec.signal.reason });
      try {
        const addresses = await guard.check(url);
        if (spec.signal?.aborted) throw new TransportError('aborted', 'request was cancelled');
        spec.beforeAttempt?.();
        const response = await sendOnce(
          {
            method: spec.method,
            url,
            headers,
            ...(spec.body !== undefined ? { body: spec.body } : {}),
            timeoutMs,
            maxResponseBytes: this.#options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
            addresses,
            ...(spec.signal ? { signal: spec.signal } : {}),
          },
          this.#agents,
        );
        const answer = { ...response, attempts: attempt, where };
        if (!RETRYABLE_STATUSES.has(response.status) || attempt > retries) return answer;
        const asked = retryAfterMs(response.headers);
        if (asked !== undefined && asked > this.#backoff.maxRetryAfterMs) return answer;
        delay = asked ?? backoffDelay(attempt - 1, this.#backoff);
      } catch (error) {
        if (!(error instanceof TransportError)) throw error;
        if (error.kind === 'aborted') throw new ModelSealError('ABORTED', `${where} was cancelled`, { cause: error });
        if (!error.retryable || attempt > retries) {
          const code = error.kind === 'timeout' ? ERROR_CODES.timeout : ERROR_CODES.remote;
          const gaveUp = error.retryable ? ` (gave up after ${attemptsText(attempt)})` : '';
          throw new ModelSealError(code, `${where}: ${error.message}${gaveUp}`, { cause: error });
        }
        delay = backoffDelay(attempt - 1, this.#backoff);
      }
      try {
        await sleep(delay, spec.signal);
      } catch (reason) {
        throw new ModelSealError('ABORTED', `${where} was cancelled`, { cause: reason });
      }
    }
  }

  /** Sends and returns the parsed JSON of a 2xx answer; every other outcome is a ModelSealError naming the URL. */
  async json(spec: RequestSpec): Promise<{ body: unknown; answer: RemoteAnswer }> {
    const answer = await this.send(spec);
    return { body: parseJsonAnswer(answer), answer };
  }

  dispose(): void {
    this.#agents.destroy();
  }
}

export function statusError(answer: RemoteAnswer): ModelSealError {
  const { status, where, headers } = answer;
  const reason = STATUS_CODES[status] ?? 'unknown status';
  if (status >= 300 && status < 400) {
    const location = typeof headers.location === 'string' ? ` to ${headers.location}` : '';
    return new ModelSealError(
      ERROR_CODES.remote,
      `${where} answered with a redirect (${status})${location}; redirects are not followed, so put the final URL in the config`,
    );
  }
  const hints: Record<number, string> = {
    401: ' (check the Authorization header in "headers")',
    403: ' (check the credentials in "headers")',
    404: ' (check the model name, version and URL)',
  };
  const retryAfter = typeof headers['retry-after'] === 'string' ? `, Retry-After: ${headers['retry-after']}` : '';
  const tries = answer.attempts > 1 ? ` after ${attemptsText(answer.attempts)}` : '';
  const message = serverMessage(answer.text);
  return new ModelSealError(
    ERROR_CODES.remote,
    `${where} answered ${status} ${reason}${tries}${retryAfter}${hints[status] ?? ''}${message ? `: ${message}` : ''}`,
  );
}

/** Parses a 2xx JSON answer, turning HTML pages, NaN literals and other garbage into clear errors. */
export function parseJsonAnswer(answer: RemoteAnswer): unknown {
  if (answer.status < 200 || answer.status >= 300) throw statusError(answer);
  try {
    return JSON.parse(answer.text) as unknown;
  } catch {
    const contentType = String(answer.headers['content-type'] ?? 'no content type');
    if (/html/i.test(contentType) || /^\s*</.test(answer.text)) {
      throw new ModelSealError(
        ERROR_CODES.output,
        `${answer.where} answered with an HTML page instead of JSON (is this the model's URL, not a web page or a login screen?): ${snippet(answer.text, 120)}`,
      );
    }
    if (/(?<![\w"])-?(NaN|Infinity)(?![\w"])/.test(answer.text)) {
      throw new ModelSealError(ERROR_CODES.nonFinite, `${answer.where} answered with NaN or Infinity values (the model produced non-finite outputs)`);
    }
    throw new ModelSealError(
      ERROR_CODES.output,
      `${answer.where} answered with something that is not valid JSON (${contentType}): ${snippet(answer.text, 120)}`,
    );
  }
}
