/** Why one HTTP attempt produced no response; `retryable` failures may succeed on a later attempt. */
export type TransportFailure = 'timeout' | 'connection' | 'dns' | 'tls' | 'aborted' | 'too-large';

export class TransportError extends Error {
  readonly kind: TransportFailure;

  constructor(kind: TransportFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportError';
    this.kind = kind;
  }

  get retryable(): boolean {
    return this.kind === 'timeout' || this.kind === 'connection';
  }
}
