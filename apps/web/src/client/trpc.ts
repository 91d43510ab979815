'use client';
// The typed tRPC client of the dashboard; `AppRouter` is a type-only import, so no server code
// reaches the browser bundle.
import type { AppRouter } from '@modelseal/api';
import { createTRPCContext } from '@trpc/tanstack-react-query';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();
