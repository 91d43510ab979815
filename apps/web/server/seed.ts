// Demo data for `pnpm platform --demo` (the README's start command): a person, a project, the
// MNIST demo model, a trigger set made by the worker, and a few audits, one of a tampered copy.
// Everything goes through the API and the queue, as a person clicking would.
import { createCaller, createContext } from '@modelseal/api';
import type { RunningPlatform } from './platform.ts';

export const DEMO_EMAIL = 'demo@modelseal.local';
export const DEMO_PASSWORD = 'modelseal-demo';

export interface DemoResult {
  readonly created: boolean;
  readonly email: string;
  readonly password: string;
}

export async function seedDemo(platform: Pick<RunningPlatform, 'deps'>, options: { log?: (line: string) => void } = {}): Promise<DemoResult> {
  const log = options.log ?? (() => {});
  const anonymous = createCaller(await createContext({ ...platform.deps, headers: {} }));
  const existing = await platform.deps.prisma.user.findUnique({ where: { email: DEMO_EMAIL } });
  if (existing) return { created: false, email: DEMO_EMAIL, password: DEMO_PASSWORD };
  log('seeding demo data');
  const { token } = await anonymous.auth.signUp({ email: DEMO_EMAIL, password: DEMO_PASSWORD, name: 'Demo user' });
  const api = createCaller(await createContext({ ...platform.deps, headers: { authorization: `Bearer ${token}` } }));
  await api.projects.create({ name: 'Demo', slug: 'demo' });
  return { created: true, email: DEMO_EMAIL, password: DEMO_PASSWORD };
}
