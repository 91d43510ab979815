export * from './noise.ts';
export * from './report.ts';
export * from './float16.ts';
export * from './prune.ts';
export * from './quantize.ts';
export * from './bitflip.ts';
export * from './patch.ts';
export * from './registry.ts';
