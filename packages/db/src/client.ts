// The Prisma client talks to PostgreSQL through node-postgres (driver adapter), so no query
// engine binary is downloaded or needed at run time.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.ts';

export function createPrismaClient(databaseUrl: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}
