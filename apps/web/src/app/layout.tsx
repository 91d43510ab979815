import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Providers } from '../client/Providers.tsx';
import './globals.css';

export const metadata: Metadata = {
  title: 'ModelSeal',
  description: 'Fragile watermarks that tell you whether a deployed model is the one you shipped',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
