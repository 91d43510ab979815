import { describe, expect, it } from 'vitest';
import { tfjsConfigSchema } from './config.ts';
import { resolveDescription, resolveInputShape } from './describe.ts';

const config = tfjsConfigSchema.parse({ path: 'model.json' });
const parts = {
  config,
  sidecar: undefined,
  inputShape: [28, 28, 1],
  numClasses: 10,
  endsInSoftmax: false,
  runtime: 'tfjs test',
  fingerprint: 'f',
  where: 'm/model.json',
};

describe('resolveInputShape', () => {
  it('uses a fully declared shape, else the config, else the sidecar', () => {
    expect(resolveInputShape([28, 28, 1], config, undefined, 'm')).toEqual([28, 28, 1]);
    expect(resolveInputShape([undefined, undefined, 3], { inputShape: [32, 32, 3] }, { inputShape: [64, 64, 3] }, 'm')).toEqual([32, 32, 3]);
    expect(resolveInputShape(undefined, {}, { inputShape: [64, 64, 3] }, 'm')).toEqual([64, 64, 3]);
  });

  it('rejects shapes that contradict the model, and unknown shapes without help', () => {
    expect(() => resolveInputShape([28, 28, 1], { inputShape: [28, 28] }, undefined, 'm')).toThrow(/does not match/);
    expect(() => resolveInputShape(undefined, {}, undefined, 'm')).toThrow(/does not declare its input shape/);
  });
});

describe('resolveDescription', () => {
  it('chooses NHWC for image samples and flat for vectors', () => {
    expect(resolveDescription(parts).layout).toBe('NHWC');
    expect(resolveDescription({ ...parts, inputShape: [784] }).layout).toBe('flat');
  });

  it('refuses an image layout for a non-image sample shape', () => {
    const nchw = { ...parts, inputShape: [784], config: { ...config, layout: 'NCHW' as const } };
    expect(() => resolveDescription(nchw)).toThrow(/needs a 3-D sample shape/);
  });

  it('refuses single-output models and inverted value ranges', () => {
    expect(() => resolveDescription({ ...parts, numClasses: 1 })).toThrow(/at least 2 classes/);
    expect(() => resolveDescription({ ...parts, sidecar: { valueRange: [1, 0] } })).toThrow(/lower bound/);
  });

  it('lets the config override the sidecar, which overrides detection', () => {
    expect(resolveDescription({ ...parts, endsInSoftmax: true }).outputKind).toBe('probabilities');
    expect(resolveDescription({ ...parts, endsInSoftmax: true, sidecar: { outputKind: 'logits' } }).outputKind).toBe('logits');
    const explicit = { ...parts, config: { ...config, outputKind: 'probabilities' as const }, sidecar: { outputKind: 'logits' as const } };
    expect(resolveDescription(explicit).outputKind).toBe('probabilities');
  });
});
