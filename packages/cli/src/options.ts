import { readFileSync } from 'node:fs';
import { ModelSealError, signingKeyFromEnv } from '@modelseal/core';
import { InvalidArgumentError } from 'commander';

export function parseInteger(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`${name} must be an integer, got "${value}"`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

export function parsePositiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number, got "${value}"`);
    return n;
  };
}

export function parseNonNegativeNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number ≥ 0, got "${value}"`);
    return n;
  };
}

export function parseFraction(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`${name} must be a number from 0 to 1, got "${value}"`);
    return n;
  };
}

export function parseChoice<T extends string>(name: string, choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`${name} must be one of ${choices.join(', ')}, got "${value}"`);
    }
    return value as T;
  };
}

/** The HMAC key from --signing-key-file, else MODELSEAL_SIGNING_KEY, else none. */
export function loadSigningKey(file: string | undefined): Uint8Array | undefined {
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new ModelSealError('INVALID_ARGUMENT', `cannot read signing key file ${file}: ${(error as Error).message}`);
    }
    return signingKeyFromEnv({ MODELSEAL_SIGNING_KEY: text });
  }
  return signingKeyFromEnv();
}
