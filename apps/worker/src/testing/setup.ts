// Every worker test process may open the committed demo models by absolute path; workers the
// tests start, in this process or as child processes inheriting its environment, read this.
import { MODEL_ROOTS_ENV } from '@modelseal/artifacts';
import { TEST_MODEL_ROOTS } from './database.ts';

process.env[MODEL_ROOTS_ENV] = TEST_MODEL_ROOTS;
