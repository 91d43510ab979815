'use client';
// The project a page is in, from the URL (/p/<projectId>/...), with the caller's role.
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { useTRPC } from './trpc.ts';

export type Role = 'owner' | 'member' | 'viewer';

export function useProjectId(): string {
  const params = useParams<{ projectId: string }>();
  return params.projectId;
}

export function useProject() {
  const trpc = useTRPC();
  const projectId = useProjectId();
  const project = useQuery(trpc.projects.get.queryOptions({ projectId }));
  const role = project.data?.role as Role | undefined;
  return {
    projectId,
    project,
    role,
    /** Members and owners change things; viewers only look. */
    canWrite: role === 'owner' || role === 'member',
    isOwner: role === 'owner',
  };
}
