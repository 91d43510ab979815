import { describe, expect, it } from 'vitest';
import { Slots } from './slots.ts';

const tick = () => new Promise((r) => setImmediate(r));

describe('Slots', () => {
  it('never lets more holders in than it has slots', async () => {
    const slots = new Slots(2);
    let holding = 0;
    let most = 0;
    const work = async (ms: number) => {
      const release = await slots.acquire();
      holding += 1;
      most = Math.max(most, holding);
      await new Promise((r) => setTimeout(r, ms));
      holding -= 1;
      release();
    };
    await Promise.all([5, 1, 3, 2, 4, 1].map(work));
    expect(most).toBe(2);
    expect(slots.free).toBe(2);
  });

  it('serves waiters first come, first served, and a free slot does not jump the line', async () => {
    const slots = new Slots(1);
    const first = slots.tryAcquire()!;
    const order: string[] = [];
    const a = slots.acquire().then((release) => (order.push('a'), release));
    const b = slots.acquire().then((release) => (order.push('b'), release));
    expect(slots.waiting).toBe(2);
    first();
    // The slot went to "a" directly: nobody else may take it before a's continuation runs.
    expect(slots.tryAcquire()).toBeUndefined();
    (await a)();
    (await b)();
    expect(order).toEqual(['a', 'b']);
    expect(slots.free).toBe(1);
  });

  it('ignores a second release of the same slot', () => {
    const slots = new Slots(1);
    const release = slots.tryAcquire()!;
    release();
    release();
    expect(slots.free).toBe(1);
    expect(slots.tryAcquire()).toBeDefined();
    expect(slots.tryAcquire()).toBeUndefined();
  });

  it('drops an aborted waiter from the line and rejects with the reason', async () => {
    const slots = new Slots(1);
    const held = slots.tryAcquire()!;
    const controller = new AbortController();
    const gaveUp = slots.acquire(controller.signal);
    const next = slots.acquire();
    controller.abort(new Error('stopping'));
    await expect(gaveUp).rejects.toThrow('stopping');
    expect(slots.waiting).toBe(1);
    held();
    (await next)();
    expect(slots.free).toBe(1);
    await expect(slots.acquire(controller.signal)).rejects.toThrow('stopping');
    await tick();
    expect(slots.free).toBe(1);
  });

  it('refuses a size that is not a positive integer', () => {
    for (const size of [0, -1, 1.5, Number.NaN]) expect(() => new Slots(size)).toThrow(/positive integer/);
  });
});
