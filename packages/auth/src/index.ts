export * from './password.ts';
export * from './apiKey.ts';
export * from './session.ts';
export * from './bearer.ts';
export * from './roles.ts';
export { constantTimeEqual } from './compare.ts';
