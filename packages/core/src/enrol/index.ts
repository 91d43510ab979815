export * from './benign.ts';
export * from './enrol.ts';
