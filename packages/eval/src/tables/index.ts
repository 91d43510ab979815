export { alignColumns, formatTables } from './format.ts';
