export * from './fragilize.ts';
export * from './gradient.ts';
export * from './settings.ts';
export * from './zerothOrder.ts';
export * from './chooseGradient.ts';
export * from './junctionDistance.ts';
export * from './replaceSamples.ts';
export * from './tieTopProbe.ts';
