import { runAdapterConformance } from './conformance.ts';
import { MlpAdapter } from './mlpAdapter.ts';

// The reference adapter must itself pass the suite it serves as an example for.
runAdapterConformance('test MLP', {
  create: async () => new MlpAdapter({ seed: 3 }),
  expectVjp: true,
  expectWeights: true,
  expectFineTune: true,
  gradientTolerance: 1e-3,
  finiteDifferenceStep: 1e-3,
});
