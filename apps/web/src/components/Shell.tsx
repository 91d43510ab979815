'use client';
// The frame around every project page: navigation, project switcher, who is signed in.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import type { ReactNode } from 'react';
import { useProject } from '../client/project.ts';
import { useSession } from '../client/session.ts';
import { useTRPC } from '../client/trpc.ts';
import { ErrorBox, Loading } from './ui.tsx';

const NAV = [
  { href: 'models', label: 'Models' },
  { href: 'audits', label: 'Audits' },
  { href: 'jobs', label: 'Jobs' },
  { href: 'webhooks', label: 'Alerts' },
  { href: 'settings', label: 'Members & keys' },
  { href: 'adapters', label: 'Adapters' },
  { href: 'ci', label: 'Use from CI' },
] as const;

export function Shell({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const queryClient = useQueryClient();
  const { user, me } = useSession();
  const { projectId, project, role } = useProject();
  const projects = useQuery({ ...trpc.projects.list.queryOptions(), enabled: Boolean(user) });
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({
      onSuccess: () => {
        queryClient.clear();
        router.replace('/sign-in');
      },
    }),
  );
  if (me.isPending || !user) return <Loading />;
  const base = `/p/${projectId}`;
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <Link href={`${base}/models`} className="brand">
          ModelSeal
        </Link>
        <label className="switcher">
          <span className="muted small">Project</span>
          <select
            aria-label="Project"
            value={projectId}
            onChange={(e) => {
              if (e.target.value === '__new') router.push('/projects/new');
              else router.push(`/p/${e.target.value}/models`);
            }}
          >
            {(projects.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
            <option value="__new">+ New project…</option>
          </select>
        </label>
        <ul>
          {NAV.map((item) => {
            const href = `${base}/${item.href}`;
            const active = pathname === href || pathname.startsWith(`${href}/`);
            return (
              <li key={item.href}>
                <Link href={href} className={active ? 'active' : undefined} aria-current={active ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            );
          })}
        </ul>
        <div className="sidebar-footer">
          <div className="small" title={user.user.email}>
            {user.user.name ?? user.user.email}
          </div>
          {role ? <div className="small muted">role: {role}</div> : null}
          <button type="button" className="link" onClick={() => signOut.mutate()}>
            Sign out
          </button>
        </div>
      </nav>
      <main className="content">{project.isError ? <ErrorBox error={project.error} /> : children}</main>
    </div>
  );
}
