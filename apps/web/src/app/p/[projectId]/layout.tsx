'use client';
import type { ReactNode } from 'react';
import { Shell } from '../../../components/Shell.tsx';

export default function ProjectLayout({ children }: { children: ReactNode }) {
  return <Shell>{children}</Shell>;
}
