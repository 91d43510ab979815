import { describe, expect, it } from 'vitest';
import { isModelSealError } from '@modelseal/core';
import type { ModelInfo } from './graph/model-info.ts';
import { detectLayout, resolveSampleShape } from './sample-shape.ts';

function info(inputDims: (number | undefined)[]): ModelInfo {
  return { inputName: 'x', inputDims, outputName: 'y', outputDims: [], extraOutputs: [], floatType: 1, opset: 17, detectedOutputKind: 'logits' };
}

function errorCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isModelSealError(error) ? error.code : 'other';
  }
  return undefined;
}

describe('sample shape and layout', () => {
  it('takes fixed dims from the file and symbolic ones from the config', () => {
    expect(resolveSampleShape(info([undefined, 1, 28, 28]), undefined, 'm')).toEqual([1, 28, 28]);
    expect(resolveSampleShape(info([undefined, 3, undefined, undefined]), [3, 32, 32], 'm')).toEqual([3, 32, 32]);
    expect(errorCode(() => resolveSampleShape(info([undefined, 3, undefined, undefined]), undefined, 'm'))).toBe('INVALID_CONFIG');
    expect(errorCode(() => resolveSampleShape(info([undefined, 1, 28, 28]), [3, 28, 28], 'm'))).toBe('INVALID_CONFIG');
    expect(errorCode(() => resolveSampleShape(info([undefined, 1, 28, 28]), [1, 784], 'm'))).toBe('INVALID_CONFIG');
  });

  it('detects NCHW from 1 or 3 leading channels, NHWC otherwise, flat for vectors', () => {
    expect(detectLayout([1, 28, 28])).toBe('NCHW');
    expect(detectLayout([3, 224, 224])).toBe('NCHW');
    expect(detectLayout([28, 28, 1])).toBe('NHWC');
    expect(detectLayout([32, 32, 3])).toBe('NHWC');
    expect(detectLayout([784])).toBe('flat');
  });
});
