export * from './benign.ts';
export * from './enrol.ts';
export * from './recordedTolerance.ts';
