/**
 * Figures and reports (Node: SVG charts rasterized to PNG by resvg, files through node:fs).
 * Re-exported by the `wgan-gp/node` entry point, not by the browser-safe core.
 */
export { Canvas, decodePng, PALETTE, WHITE, BLACK, type Color, type DecodedPng, type MarkerShape } from './canvas.js';
export { Panel, figureLayout, figureSvg, type Frame, type PanelOptions, type FigureLayout, type LegendEntry } from './chart.js';
export { colormap, divergingColormap, densityColormap, makeColormap, COLORMAP_STOPS } from './colormap.js';
export {
  contourPlot,
  criticGrid,
  densityGrid,
  heatmapPanel,
  REAL_COLOR,
  FAKE_COLOR,
  type ContourPlotOptions,
  type HeatmapOptions,
  type HeatScale,
} from './contour-plot.js';
export {
  linePlot,
  lineChartSvg,
  linePanel,
  panelsPlot,
  panelsSvg,
  smooth,
  type LinePlotOptions,
  type LinePanelOptions,
  type LineSeries,
} from './line-plot.js';
export { histogram, histogramPlot, type HistogramPlotOptions, type HistogramSeries } from './histogram-plot.js';
export { imageGrid, type ImageGridOptions } from './image-grid.js';
export { svgToPng, svgDocument, plotFontFiles, type RasterOptions } from './svg.js';
export {
  renderReport,
  writeReport,
  readMetricsJsonl,
  metricSeries,
  type MetricsRow,
  type ReportImage,
  type RenderReportOptions,
  type WriteReportOptions,
  type ReportChart,
  type MetricGuide,
  metricsCsv,
  isConstant,
} from './report.js';
export { linearTicks, logTicks, formatNumber } from './ticks.js';
