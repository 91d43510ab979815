export { serveModel, type ModelServer, type ServeOptions } from './serve.ts';
export { DEFAULT_MAX_BODY_BYTES } from './body.ts';
