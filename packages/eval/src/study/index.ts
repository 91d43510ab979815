export * from './config.ts';
export { applyAttack } from './attack.ts';
export { backdoorAttack, checkpointSteps, fineTuneWithCheckpoints, type BackdoorAttackOptions, type FineTuneAttackOptions } from './fineTune.ts';
export { tamperAndVerify, type TamperOptions, type TamperOutcome } from './tamper.ts';
export { traceFragilization, type FragilizationTrace, type TraceOptions } from './trace.ts';
export { runStudy, type CellResult, type FineTuneCurve, type MethodSummary, type RunStudyOptions, type StudyProgress, type StudyResult } from './runner.ts';
