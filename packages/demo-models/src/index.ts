export { buildDemoCnn, type DemoCnnOptions, type ImageShape } from './cnn.ts';
export { evaluateAccuracy } from './evaluate.ts';
export {
  trainDemoModel,
  type EpochSummary,
  type TrainDemoModelOptions,
  type TrainDemoModelResult,
  type TrainProgress,
} from './train.ts';
