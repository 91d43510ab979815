import { ModelSealError } from '@modelseal/core';
import { ERROR_CODES } from './codes.ts';
import type { Protocol } from './config.ts';

/** Where a remote model lives, split so that every endpoint of its protocol can be addressed. */
export interface ModelTarget {
  readonly protocol: Protocol;
  /** Everything before /v2 or /v1 (scheme, host, port and any gateway prefix), without a trailing slash. */
  readonly base: string;
  readonly modelName: string;
  readonly version?: string;
  /** The query string of the configured URL (e.g. a gateway's routing key), kept on every request. */
  readonly search: string;
  /** The configured URL without its query string, for messages (the query may carry a token). */
  readonly display: string;
}

const PATTERNS: Record<Protocol, RegExp> = {
  'oip-v2': /^(.*?)\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(?:\/infer|\/ready)?\/?$/,
  tfserving: /^(.*?)\/v1\/models\/([^/:]+)(?:\/versions\/([^/:]+))?(?::predict|\/metadata)?\/?$/,
};

const EXPECTED: Record<Protocol, string> = {
  'oip-v2': '…/v2/models/NAME[/versions/VERSION] (Open Inference Protocol v2)',
  tfserving: '…/v1/models/NAME[/versions/VERSION] (TensorFlow Serving)',
};

function fail(code: (typeof ERROR_CODES)[keyof typeof ERROR_CODES], message: string): never {
  throw new ModelSealError(code, message);
}

/** Parses the user's model URL, refusing schemes other than http(s) and embedded credentials. */
export function parseModelUrl(text: string, protocol: 'auto' | Protocol, configVersion?: string): ModelTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(ERROR_CODES.config, `model URL ${JSON.stringify(text)} is not a valid absolute URL (expected e.g. https://host/v2/models/NAME)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return fail(ERROR_CODES.forbidden, `model URL scheme "${url.protocol}" is not allowed: only http:// and https:// URLs can be used`);
  }
  if (url.username !== '' || url.password !== '') {
    return fail(
      ERROR_CODES.forbidden,
      `model URL ${url.protocol}//${url.host}${url.pathname} embeds credentials, which are refused (they would end up in logs); pass them in "headers" instead, e.g. {"Authorization": "Bearer …"}`,
    );
  }
  const display = `${url.origin}${url.pathname}`;
  const candidates = protocol === 'auto' ? (Object.keys(PATTERNS) as Protocol[]) : [protocol];
  for (const candidate of candidates) {
    const match = PATTERNS[candidate].exec(url.pathname);
    if (!match) continue;
    let modelName: string;
    let pathVersion: string | undefined;
    try {
      modelName = decodeURIComponent(match[2]!);
      pathVersion = match[3] === undefined ? undefined : decodeURIComponent(match[3]);
    } catch {
      return fail(ERROR_CODES.config, `model URL ${display} contains invalid percent-encoding`);
    }
    if (pathVersion !== undefined && configVersion !== undefined && pathVersion !== configVersion) {
      return fail(
        ERROR_CODES.config,
        `model URL ${display} names version "${pathVersion}" but modelVersion is "${configVersion}"; give the version in one place`,
      );
    }
    const version = configVersion ?? pathVersion;
    return {
      protocol: candidate,
      base: `${url.origin}${match[1]}`,
      modelName,
      ...(version !== undefined ? { version } : {}),
      search: url.search,
      display,
    };
  }
  const expected = candidates.map((candidate) => EXPECTED[candidate]).join(' or ');
  return fail(
    ERROR_CODES.config,
    protocol === 'auto'
      ? `cannot tell the protocol from the model URL ${display}: its path should end in ${expected}`
      : `model URL ${display} does not fit protocol "${protocol}": its path should end in ${expected}`,
  );
}

/** Absolute URL of one endpoint of the model's server, e.g. `endpoint(target, '/v2/health/ready')`. */
export function endpoint(target: ModelTarget, path: string): URL {
  return new URL(`${target.base}${path}${target.search}`);
}

/** `/v2/models/NAME[/versions/V]` or `/v1/models/NAME[/versions/V]`. */
export function modelPath(target: ModelTarget): string {
  const root = target.protocol === 'oip-v2' ? '/v2/models/' : '/v1/models/';
  const version = target.version === undefined ? '' : `/versions/${encodeURIComponent(target.version)}`;
  return `${root}${encodeURIComponent(target.modelName)}${version}`;
}

/** An endpoint's URL for messages: no query string. */
export function displayEndpoint(target: ModelTarget, path: string): string {
  return `${target.base}${path}`;
}
