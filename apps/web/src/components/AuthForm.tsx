'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useState, type FormEvent } from 'react';
import { useTRPC } from '../client/trpc.ts';
import { ErrorBox } from './ui.tsx';

function safeNext(value: string | null): string {
  // Only same-site paths: an attacker's link must not bounce a fresh session elsewhere.
  return value && value.startsWith('/') && !value.startsWith('//') ? value : '/';
}

function AuthFormInner({ mode }: { mode: 'sign-in' | 'sign-up' }) {
  const trpc = useTRPC();
  const router = useRouter();
  const params = useSearchParams();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const onDone = async () => {
    await queryClient.invalidateQueries();
    router.replace(safeNext(params.get('next')));
  };
  const signIn = useMutation(trpc.auth.signIn.mutationOptions({ onSuccess: onDone }));
  const signUp = useMutation(trpc.auth.signUp.mutationOptions({ onSuccess: onDone }));
  const pending = signIn.isPending || signUp.isPending;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (mode === 'sign-in') signIn.mutate({ email, password });
    else signUp.mutate({ email, password, ...(name ? { name } : {}) });
  };
  return (
    <main className="auth">
      <form onSubmit={submit} className="card auth-card">
        <h1>{mode === 'sign-in' ? 'Sign in to ModelSeal' : 'Create your ModelSeal account'}</h1>
        {mode === 'sign-up' ? (
          <label>
            Name
            <input name="name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" />
          </label>
        ) : null}
        <label>
          Email
          <input name="email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            required
            minLength={mode === 'sign-up' ? 8 : 1}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'}
          />
        </label>
        <ErrorBox error={signIn.error ?? signUp.error} />
        <button type="submit" className="primary" disabled={pending}>
          {mode === 'sign-in' ? 'Sign in' : 'Sign up'}
        </button>
        <p className="muted">
          {mode === 'sign-in' ? (
            <>
              No account? <Link href="/sign-up">Sign up</Link>
            </>
          ) : (
            <>
              Have an account? <Link href="/sign-in">Sign in</Link>
            </>
          )}
        </p>
      </form>
    </main>
  );
}

export function AuthForm({ mode }: { mode: 'sign-in' | 'sign-up' }) {
  // useSearchParams needs a Suspense boundary for static rendering.
  return (
    <Suspense>
      <AuthFormInner mode={mode} />
    </Suspense>
  );
}
