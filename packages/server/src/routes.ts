import { HttpError } from './http-error.ts';
import * as oip from './oip.ts';
import type { ServedModel } from './served-model.ts';
import * as tf from './tfserving.ts';

export interface RouteContext {
  readonly model: ServedModel;
  readonly serverVersion: string;
  /** Reads and parses the JSON body (only POST routes call it). */
  readonly body: () => Promise<unknown>;
  readonly signal: AbortSignal;
}

export interface RouteResult {
  readonly status: number;
  readonly body: unknown;
  /** Samples predicted, for the request log. */
  readonly samples?: number;
}

type Handler = (context: RouteContext, name: string, version: string | undefined) => Promise<RouteResult>;

interface Route {
  readonly method: 'GET' | 'POST';
  readonly pattern: RegExp;
  readonly handler: Handler;
}

const ok = (body: unknown): RouteResult => ({ status: 200, body });

const SEGMENT = '([^/]+)';
const VERSION = '(?:/versions/([^/:]+))?';

const routes: Route[] = [
  { method: 'GET', pattern: /^\/v2\/health\/live$/, handler: async () => ok({ live: true }) },
  { method: 'GET', pattern: /^\/v2\/health\/ready$/, handler: async () => ok({ ready: true }) },
  {
    method: 'GET',
    pattern: /^\/v2\/?$/,
    handler: async ({ serverVersion }) => ok({ name: oip.PLATFORM, version: serverVersion, extensions: [] }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v2/models/${SEGMENT}${VERSION}/ready$`),
    handler: async ({ model }, name, version) => {
      model.assertAddressed(name, version);
      return ok({ name: model.name, ready: true });
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v2/models/${SEGMENT}${VERSION}$`),
    handler: async ({ model }, name, version) => {
      model.assertAddressed(name, version);
      return ok(oip.modelMetadata(model));
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/v2/models/${SEGMENT}${VERSION}/infer$`),
    handler: async ({ model, body, signal }, name, version) => {
      model.assertAddressed(name, version);
      const request = oip.parseInferRequest(await body(), model);
      const probabilities = await model.predict(request.batch, signal);
      return { ...ok(oip.inferResponse(model, request, probabilities)), samples: request.batch.shape[0] ?? 0 };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v1/models/([^/:]+)${VERSION}$`),
    handler: async ({ model }, name, version) => {
      model.assertAddressed(name, version);
      return ok(tf.modelStatus(model));
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v1/models/([^/:]+)${VERSION}/metadata$`),
    handler: async ({ model }, name, version) => {
      model.assertAddressed(name, version);
      return ok(tf.modelMetadata(model));
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/v1/models/([^/:]+)${VERSION}:predict$`),
    handler: async ({ model, body, signal }, name, version) => {
      model.assertAddressed(name, version);
      const request = tf.parsePredictRequest(await body(), model);
      const probabilities = await model.predict(request.batch, signal);
      return { ...ok(tf.predictResponse(request.format, probabilities)), samples: request.batch.shape[0] ?? 0 };
    },
  },
];

function decode(segment: string | undefined): string | undefined {
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `path segment "${segment}" is not valid percent-encoding`);
  }
}

/** Dispatches one request; throws HttpError for unknown paths (404) and wrong methods (405). */
export async function route(method: string, pathname: string, context: RouteContext): Promise<RouteResult> {
  const matching = routes
    .map((candidate) => ({ candidate, match: candidate.pattern.exec(pathname) }))
    .filter((entry) => entry.match !== null);
  if (matching.length === 0) throw new HttpError(404, `no such endpoint: ${pathname}`);
  const chosen = matching.find((entry) => entry.candidate.method === method);
  if (!chosen) {
    const allowed = [...new Set(matching.map((entry) => entry.candidate.method))].join(', ');
    throw new HttpError(405, `${method} is not allowed on ${pathname} (allowed: ${allowed})`);
  }
  const match = chosen.match!;
  return chosen.candidate.handler(context, decode(match[1]) ?? '', decode(match[2]));
}
