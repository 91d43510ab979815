import { describe, expect, it } from 'vitest';
import { endpoint, modelPath, parseModelUrl } from './model-url.ts';

describe('parseModelUrl', () => {
  it('infers Open Inference Protocol v2 and keeps a gateway prefix and query', () => {
    const target = parseModelUrl('https://gw.example.com/team/a/v2/models/mnist%20cnn/versions/2/infer?key=abc', 'auto');
    expect(target).toEqual({
      protocol: 'oip-v2',
      base: 'https://gw.example.com/team/a',
      modelName: 'mnist cnn',
      version: '2',
      search: '?key=abc',
      display: 'https://gw.example.com/team/a/v2/models/mnist%20cnn/versions/2/infer',
    });
    expect(modelPath(target)).toBe('/v2/models/mnist%20cnn/versions/2');
    expect(endpoint(target, '/v2/health/ready').href).toBe('https://gw.example.com/team/a/v2/health/ready?key=abc');
  });

  it('infers TensorFlow Serving, with or without :predict', () => {
    expect(parseModelUrl('http://tf:8501/v1/models/resnet:predict', 'auto')).toMatchObject({ protocol: 'tfserving', base: 'http://tf:8501', modelName: 'resnet' });
    expect(parseModelUrl('http://tf:8501/v1/models/resnet/versions/3', 'auto', '3')).toMatchObject({ protocol: 'tfserving', version: '3' });
  });

  it('takes the version from the config and refuses a contradiction', () => {
    expect(parseModelUrl('http://h/v2/models/m', 'auto', '7').version).toBe('7');
    expect(() => parseModelUrl('http://h/v2/models/m/versions/1', 'auto', '2')).toThrow(/names version "1" but modelVersion is "2"/);
  });

  it('explains which paths are understood', () => {
    expect(() => parseModelUrl('http://h/predict', 'auto')).toThrow(/cannot tell the protocol from the model URL http:\/\/h\/predict: .*\/v2\/models\/NAME.*\/v1\/models\/NAME/);
    expect(() => parseModelUrl('http://h/v2/models/m', 'tfserving')).toThrow(/does not fit protocol "tfserving"/);
    expect(() => parseModelUrl('not a url', 'auto')).toThrow(/is not a valid absolute URL/);
  });
});
