export * from './key.ts';
export * from './ref.ts';
export * from './store.ts';
export { BUNDLE_FORMAT, BUNDLE_VERSION, checkMemberPaths, isSafeMemberPath, materializeOnce, parseManifest, readManifest, serializeManifest } from './bundle.ts';
export type { BundleEntry, BundleFile, BundleManifest, PutFolderOptions, PutFolderResult } from './bundle.ts';
export * from './modelPath.ts';
export { HEADER_LENGTH as ENCRYPTED_HEADER_LENGTH } from './envelope.ts';
