export * from './baselines/index.ts';
export * from './study/index.ts';
export * from './tables/index.ts';
export * from './plots/index.ts';
export { openModel } from './models.ts';
