'use client';
// Landing: sends people to their first project, or lets them create one.
import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { CreateProjectForm } from '../components/CreateProjectForm.tsx';
import { ErrorBox, Loading } from '../components/ui.tsx';
import { useSession } from '../client/session.ts';
import { useTRPC } from '../client/trpc.ts';

export default function Home() {
  const trpc = useTRPC();
  const router = useRouter();
  const { user, me } = useSession();
  const projects = useQuery({ ...trpc.projects.list.queryOptions(), enabled: Boolean(user) });
  const first = projects.data?.[0];
  useEffect(() => {
    if (first) router.replace(`/p/${first.id}/models`);
  }, [first, router]);
  if (me.isPending || projects.isPending || first) return <Loading />;
  return (
    <main className="auth">
      <div className="card auth-card">
        <h1>Welcome to ModelSeal</h1>
        <p className="muted">Create a project to register models, seal them with fragile trigger sets and audit them.</p>
        <ErrorBox error={projects.error} />
        <CreateProjectForm onCreated={(id) => router.push(`/p/${id}/models`)} />
      </div>
    </main>
  );
}
