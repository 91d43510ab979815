'use client';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { useProjectId } from '../../../client/project.ts';

export default function ProjectIndex() {
  const router = useRouter();
  const projectId = useProjectId();
  useEffect(() => router.replace(`/p/${projectId}/models`), [router, projectId]);
  return null;
}
