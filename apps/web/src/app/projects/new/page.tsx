'use client';
import { useRouter } from 'next/navigation';
import { CreateProjectForm } from '../../../components/CreateProjectForm.tsx';
import { useSession } from '../../../client/session.ts';
import { Loading } from '../../../components/ui.tsx';

export default function NewProjectPage() {
  const router = useRouter();
  const { user } = useSession();
  if (!user) return <Loading />;
  return (
    <main className="auth">
      <div className="card auth-card">
        <h1>New project</h1>
        <CreateProjectForm onCreated={(id) => router.push(`/p/${id}/models`)} />
      </div>
    </main>
  );
}
