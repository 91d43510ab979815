export { createLinearAdapter, type LinearAdapter, type LinearAdapterOptions } from './linear-adapter.ts';
