import type { ModelAdapter } from '../adapter/contract.ts';
import { ModelSealError } from '../errors.ts';
import { exactGradient, type GradientSource } from './gradient.ts';
import { nesGradient, spsaGradient, type ZerothOrderOptions } from './zerothOrder.ts';

export type GradientKind = 'exact' | 'nes' | 'spsa';

/** Exact gradients when the adapter has them; black-box adapters get NES unless told otherwise. */
export function chooseGradient(adapter: ModelAdapter, options: { kind?: GradientKind } & ZerothOrderOptions = {}): GradientSource {
  const kind = options.kind ?? (adapter.vjp ? 'exact' : 'nes');
  if (kind === 'exact') {
    if (!adapter.vjp) {
      throw new ModelSealError('UNSUPPORTED', `the ${adapter.kind} adapter has no exact gradients; use the nes or spsa estimator`);
    }
    return exactGradient(adapter);
  }
  const { kind: _kind, ...zerothOrder } = options;
  return kind === 'nes' ? nesGradient(adapter, zerothOrder) : spsaGradient(adapter, zerothOrder);
}
