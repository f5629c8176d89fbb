/** The notebook view: tslab display, Plotly charts, running notebooks headlessly, the reports index. */
export { liveProgress, roundFloats, rowsFrame, showChart, showMarkdown, showRecord, showTable } from "./display";
export { figureHtml, plotlyBundleHtml, resetPlotlyBundle, type Figure } from "./plotly";
export { runNotebook, type NotebookRun, type RunNotebookOptions } from "./runner";
export {
  formatWhen,
  indexHtml,
  listReports,
  NOTEBOOK_CATALOG,
  writeReportsIndex,
  type NotebookInfo,
  type ReportEntry,
} from "./reports-index";
