export * from './noise.ts';
