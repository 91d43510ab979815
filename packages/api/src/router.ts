import { adaptersRouter } from './routers/adapters.ts';
import { apiKeysRouter } from './routers/apiKeys.ts';
import { auditsRouter } from './routers/audits.ts';
import { authRouter } from './routers/auth.ts';
import { jobsRouter } from './routers/jobs.ts';
import { membersRouter } from './routers/members.ts';
import { modelsRouter } from './routers/models.ts';
import { projectsRouter } from './routers/projects.ts';
import { sampleSetsRouter } from './routers/sampleSets.ts';
import { schedulesRouter } from './routers/schedules.ts';
import { triggerSetsRouter } from './routers/triggerSets.ts';
import { webhooksRouter } from './routers/webhooks.ts';
import { createCallerFactory, router } from './trpc.ts';

export const appRouter = router({
  auth: authRouter,
  projects: projectsRouter,
  members: membersRouter,
  apiKeys: apiKeysRouter,
  adapters: adaptersRouter,
  models: modelsRouter,
  triggerSets: triggerSetsRouter,
  sampleSets: sampleSetsRouter,
  jobs: jobsRouter,
  audits: auditsRouter,
  schedules: schedulesRouter,
  webhooks: webhooksRouter,
});

/** What a typed client imports: `createTRPCClient<AppRouter>(...)`. */
export type AppRouter = typeof appRouter;

/** Calls procedures in-process (server components, tests): `createCaller(await createContext(...))`. */
export const createCaller = createCallerFactory(appRouter);
