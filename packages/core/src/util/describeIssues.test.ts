import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssues } from './describeIssues.ts';

describe('describeIssues', () => {
  it('joins every issue as path: message, naming root-level issues by the label', () => {
    const nested = z.object({ a: z.object({ b: z.number() }), c: z.string() }).safeParse({ a: { b: 'x' }, c: 1 });
    expect(nested.success).toBe(false);
    expect(describeIssues(nested.error!)).toMatch(/^a\.b: .+; c: .+$/);
    const root = z.number().safeParse('x');
    expect(describeIssues(root.error!, '(config)')).toMatch(/^\(config\): /);
  });
});
