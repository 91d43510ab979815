import { ModelSealError } from '@modelseal/core';

/** Folders of the store; each artifact lives under one. */
export const ARTIFACT_KINDS = ['model', 'trigger-set', 'report', 'dataset'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** A content address: `sha256:` followed by 64 lowercase hex digits of the plaintext's sha256. */
export type ArtifactRef = `sha256:${string}`;

const REF_PATTERN = /^sha256:([0-9a-f]{64})$/;

export function formatRef(sha256Hex: string): ArtifactRef {
  return `sha256:${sha256Hex}`;
}

/**
 * Returns the hex digest of a ref. The strict pattern is the path-traversal guard:
 * the digest becomes a file name, so nothing but 64 hex digits may reach the disk.
 */
export function parseRef(ref: string): string {
  const match = typeof ref === 'string' ? REF_PATTERN.exec(ref) : null;
  if (!match?.[1]) {
    const shown = typeof ref === 'string' ? JSON.stringify(ref.slice(0, 100)) : typeof ref;
    throw new ModelSealError('INVALID_ARGUMENT', `not an artifact ref: ${shown} (expected sha256:<64 lowercase hex digits>)`);
  }
  return match[1];
}

export function isArtifactKind(kind: unknown): kind is ArtifactKind {
  return typeof kind === 'string' && (ARTIFACT_KINDS as readonly string[]).includes(kind);
}

export function assertKind(kind: unknown): ArtifactKind {
  if (!isArtifactKind(kind)) {
    throw new ModelSealError('INVALID_ARGUMENT', `unknown artifact kind ${JSON.stringify(kind)}; expected one of ${ARTIFACT_KINDS.join(', ')}`);
  }
  return kind;
}
