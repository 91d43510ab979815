export type { TriggerSamples } from './types.ts';
export { nonFragileSamples } from './nonFragile.ts';
export { randomNoiseSamples } from './randomNoise.ts';
export { icip2022Samples, icipCotangent, type Icip2022Options, type Icip2022Samples } from './icip2022.ts';
