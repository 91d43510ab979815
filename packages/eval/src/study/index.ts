export * from './config.ts';
export { applyAttack } from './attack.ts';
export { traceFragilization, type FragilizationTrace, type TraceOptions } from './trace.ts';
export { runStudy, type CellResult, type MethodSummary, type RunStudyOptions, type StudyProgress, type StudyResult } from './runner.ts';
