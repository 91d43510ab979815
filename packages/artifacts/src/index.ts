export * from './key.ts';
export * from './ref.ts';
export * from './store.ts';
export { BUNDLE_FORMAT, BUNDLE_VERSION, isSafeMemberPath, parseManifest, readManifest, serializeManifest } from './bundle.ts';
export type { BundleEntry, BundleManifest, PutFolderOptions, PutFolderResult } from './bundle.ts';
export { HEADER_LENGTH as ENCRYPTED_HEADER_LENGTH } from './envelope.ts';
