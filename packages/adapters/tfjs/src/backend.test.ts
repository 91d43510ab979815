import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { isModelSealError } from '@modelseal/core';
import { initBackend, useBackend } from './backend.ts';

describe('initBackend', () => {
  it('falls back to wasm when no native TF.js is installed, logs it, and answers once per process', async () => {
    const messages: string[] = [];
    const first = await initBackend('auto', (message) => messages.push(message));
    expect(first.name).toBe('wasm');
    expect(first.runtime).toMatch(/^tfjs 4\.22\.0 \(wasm/);
    expect(messages).toContain(`TF.js backend: ${first.runtime}`);
    expect(await initBackend('auto', (message) => messages.push(message))).toBe(first);
    expect(messages.filter((message) => message.startsWith('TF.js backend'))).toHaveLength(1);
  });

  it('refuses a forced native backend that is not installed, saying how to get it', async () => {
    const error = await initBackend('tensorflow').catch((e: unknown) => e);
    expect(isModelSealError(error) && error.code).toBe('UNSUPPORTED');
    expect((error as Error).message).toContain('@tensorflow/tfjs-node');
  });

  it('switches the process-wide backend to the one an adapter was created for', async () => {
    const cpu = await initBackend('cpu');
    const wasm = await initBackend('wasm');
    await useBackend(cpu);
    expect(tf.getBackend()).toBe('cpu');
    await useBackend(wasm);
    expect(tf.getBackend()).toBe('wasm');
  });
});
