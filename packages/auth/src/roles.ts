/** Project roles, most to least privileged. */
export const ROLES = ['owner', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const RESOURCES = ['project', 'members', 'apiKeys', 'models', 'triggerSetInputs', 'audits', 'schedules', 'webhooks'] as const;
export type Resource = (typeof RESOURCES)[number];

type Matrix = Readonly<Record<Resource, readonly Role[]>>;

/**
 * Who may read what. Viewers see results (audits, schedules, the model list)
 * but never trigger-set inputs: whoever holds them can tune a tampered model to
 * keep its answers. Webhook settings and API key lists are hidden from viewers
 * too: webhook URLs often embed secrets, and key metadata is admin business.
 */
const READ: Matrix = {
  project: ['owner', 'member', 'viewer'],
  members: ['owner', 'member', 'viewer'],
  apiKeys: ['owner', 'member'],
  models: ['owner', 'member', 'viewer'],
  triggerSetInputs: ['owner', 'member'],
  audits: ['owner', 'member', 'viewer'],
  schedules: ['owner', 'member', 'viewer'],
  webhooks: ['owner', 'member'],
};

/** Who may change what: owners administer the project; members do the work; viewers change nothing. */
const WRITE: Matrix = {
  project: ['owner'],
  members: ['owner'],
  apiKeys: ['owner'],
  models: ['owner', 'member'],
  triggerSetInputs: ['owner', 'member'],
  audits: ['owner', 'member'],
  schedules: ['owner', 'member'],
  webhooks: ['owner'],
};

function allowed(matrix: Matrix, role: string, resource: string): boolean {
  // Deny by default: role and resource often come from a database or a request as plain strings.
  if (!Object.hasOwn(matrix, resource)) return false;
  return (matrix[resource as Resource] as readonly string[]).includes(role);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function canRead(role: Role | string, resource: Resource | string): boolean {
  return allowed(READ, role, resource);
}

export function canWrite(role: Role | string, resource: Resource | string): boolean {
  return allowed(WRITE, role, resource);
}
