// Who is calling: resolved once per request from the Authorization header or the session cookie.
import type { ArtifactStore } from '@modelseal/artifacts';
import { API_KEY_PREFIX, hashApiKey, isApiKeyFormat, isRole, parseBearer, type Role } from '@modelseal/auth';
import type { AdapterRegistry } from '@modelseal/core';
import type { PrismaClient } from '@modelseal/db';
import type { PgBoss } from 'pg-boss';
import type { SignInLimiter } from './signInLimiter.ts';
import { DEFAULT_SESSION_TTL_SECONDS, readSessionToken, SESSION_COOKIE, SESSION_PREFIX } from './session.ts';
import type { SampleSetLimits, UploadLimits } from './upload/limits.ts';

/** What the API needs from its host, built once per process. */
export interface ApiDeps {
  readonly prisma: PrismaClient;
  /** A started pg-boss whose catalog queues exist (createQueues). */
  readonly boss: PgBoss;
  /** The worker's artifacts folder: trigger sets are stored there under their `artifactRef`. */
  readonly artifactsDir: string;
  /** Where `sha256:` artifact refs are read from, when trigger sets are kept in a content store. */
  readonly artifacts?: ArtifactStore | undefined;
  /** Key for signing session tokens (at least 32 bytes of randomness). */
  readonly sessionSecret: string | Uint8Array;
  readonly sessionTtlSeconds?: number | undefined;
  /**
   * Adapter factories whose config schemas validate `models.register`. Without it, any adapter
   * kind is accepted with an object config, and the worker validates when it opens the model.
   * Uploads (models.upload) need it: an uploaded model is opened once before it is accepted.
   */
  readonly adapters?: AdapterRegistry | undefined;
  /**
   * Folders that models registered by absolute `path` may lie in (the host reads
   * MODELSEAL_MODEL_ROOTS, colon-separated: modelRootsFromEnv). Without any, a model path must be
   * relative to artifactsDir, or the model uploaded (models.upload). Give workers the same list.
   */
  readonly modelRoots?: readonly string[] | undefined;
  /**
   * Whether model configs may open the HTTP adapter's SSRF guard (allowPrivate/allowHosts): an
   * operator's decision (env MODELSEAL_ALLOW_PRIVATE_ENDPOINTS, read by the host), off by default.
   */
  readonly allowPrivateEndpoints?: boolean | undefined;
  /** Failed sign-in counter (default: one shared per process). */
  readonly signInLimiter?: SignInLimiter | undefined;
  /** Caps on models.upload; unset fields keep DEFAULT_UPLOAD_LIMITS. */
  readonly uploadLimits?: Partial<UploadLimits> | undefined;
  /** Caps on sampleSets.upload; unset fields keep DEFAULT_SAMPLE_SET_LIMITS. */
  readonly sampleSetLimits?: Partial<SampleSetLimits> | undefined;
}

export type Caller =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'user'; readonly userId: string; readonly email: string }
  /** An API key acts inside its one project, with the key's role. */
  | { readonly kind: 'apiKey'; readonly apiKeyId: string; readonly projectId: string; readonly role: Role; readonly createdById: string | null };

export interface Context extends ApiDeps {
  readonly caller: Caller;
  readonly sessionTtlSeconds: number;
  /**
   * Response headers of the HTTP request, when there is one: sign-in sets the session cookie
   * here so browsers never hold the token in script-readable storage.
   */
  readonly resHeaders?: Headers | undefined;
  /** Whether the request came over HTTPS (the cookie is then marked Secure). */
  readonly secure?: boolean | undefined;
}

export type HeaderSource = Headers | Readonly<Record<string, string | string[] | undefined>>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value.join(', ') : value;
}

function cookie(headers: HeaderSource, name: string): string | undefined {
  const raw = header(headers, 'cookie');
  if (!raw) return undefined;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

const ANONYMOUS: Caller = { kind: 'anonymous' };

async function callerFromApiKey(deps: ApiDeps, key: string): Promise<Caller> {
  if (!isApiKeyFormat(key)) return ANONYMOUS;
  const row = await deps.prisma.apiKey.findUnique({ where: { hash: hashApiKey(key) } });
  const now = new Date();
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now) || !isRole(row.role)) return ANONYMOUS;
  await deps.prisma.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  return { kind: 'apiKey', apiKeyId: row.id, projectId: row.projectId, role: row.role, createdById: row.createdById };
}

async function callerFromSession(deps: ApiDeps, token: string): Promise<Caller> {
  const session = readSessionToken(deps.sessionSecret, token);
  if (!session) return ANONYMOUS;
  const user = await deps.prisma.user.findUnique({ where: { id: session.userId } });
  // Any change to the user row since sign-in (sign-out, password change) ends the session.
  if (!user || user.updatedAt.getTime() !== session.version) return ANONYMOUS;
  return { kind: 'user', userId: user.id, email: user.email };
}

/**
 * A bad or unknown credential makes the caller anonymous rather than failing the request, so
 * public procedures (sign-in) still work; protected ones then answer UNAUTHORIZED.
 */
export async function resolveCaller(deps: ApiDeps, headers: HeaderSource): Promise<Caller> {
  const authorization = header(headers, 'authorization');
  let token: string | undefined;
  if (authorization) {
    try {
      token = parseBearer(authorization);
    } catch {
      return ANONYMOUS;
    }
  } else {
    token = cookie(headers, SESSION_COOKIE);
  }
  if (!token) return ANONYMOUS;
  if (token.startsWith(API_KEY_PREFIX)) return callerFromApiKey(deps, token);
  if (token.startsWith(SESSION_PREFIX)) return callerFromSession(deps, token);
  return ANONYMOUS;
}

export async function createContext(options: ApiDeps & { headers: HeaderSource; resHeaders?: Headers; secure?: boolean }): Promise<Context> {
  const { headers, resHeaders, secure, ...deps } = options;
  return {
    ...deps,
    sessionTtlSeconds: deps.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS,
    caller: await resolveCaller(deps, headers),
    resHeaders,
    secure,
  };
}
