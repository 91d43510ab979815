export { getObjective, OBJECTIVE_NAMES, type Objective, type ObjectiveName } from './objectives.ts';
