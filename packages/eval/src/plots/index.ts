export { escapeXml, lineChart, niceTicks, PALETTE, type LineChartOptions, type Series } from './svg.ts';
export { studyFigures, type Figure } from './figures.ts';
