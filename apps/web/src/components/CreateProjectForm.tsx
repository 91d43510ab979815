'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '../client/trpc.ts';
import { ErrorBox } from './ui.tsx';

function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}

export function CreateProjectForm({ onCreated }: { onCreated: (projectId: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const create = useMutation(
    trpc.projects.create.mutationOptions({
      onSuccess: async (project) => {
        await queryClient.invalidateQueries({ queryKey: trpc.projects.list.queryKey() });
        await queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
        onCreated(project.id);
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ name, slug: slug || slugify(name) });
  };
  return (
    <form onSubmit={submit} className="stack">
      <label>
        Project name
        <input name="projectName" required value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Slug
        <input name="projectSlug" placeholder={slugify(name) || 'my-project'} value={slug} onChange={(e) => setSlug(e.target.value)} />
      </label>
      <ErrorBox error={create.error} />
      <button type="submit" className="primary" disabled={create.isPending || !name}>
        Create project
      </button>
    </form>
  );
}
