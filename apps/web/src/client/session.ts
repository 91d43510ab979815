'use client';
// Who is signed in, for pages: redirects to sign-in when nobody is.
import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { errorCode } from './errors.ts';
import { useTRPC } from './trpc.ts';

export function useSession() {
  const trpc = useTRPC();
  const router = useRouter();
  const me = useQuery(trpc.auth.me.queryOptions(undefined, { retry: false }));
  const unauthorized = me.isError && errorCode(me.error) === 'UNAUTHORIZED';
  useEffect(() => {
    if (unauthorized) router.replace(`/sign-in?next=${encodeURIComponent(window.location.pathname)}`);
  }, [unauthorized, router]);
  const user = me.data?.kind === 'user' ? me.data : undefined;
  return { me, user, unauthorized };
}
