export { appRouter, createCaller } from './router.ts';
export type { AppRouter } from './router.ts';
export { createContext, resolveCaller } from './context.ts';
export type { ApiDeps, Caller, Context, HeaderSource } from './context.ts';
export { createHttpHandler } from './http.ts';
export type { HttpHandlerOptions } from './http.ts';
export { SESSION_COOKIE, SESSION_PREFIX, clearedSessionCookie, issueSessionToken, readSessionToken, sessionCookie } from './session.ts';
export { BUILT_IN_ADAPTER_KINDS } from './routers/models.ts';
