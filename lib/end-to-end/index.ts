/**
 * Notebook 06 and `npm run e2e`: a million records end to end (the earlier Python project,
 * seed 004, done right). data.ts reads and replicates the CSV; producer-child.ts and
 * consumer-child.ts are the two processes run.ts coordinates; methods.ts compares the seed's ways
 * of producing; consumer-perf.ts runs Java's consumer reference; texts.ts and charts.ts show it.
 */
export { DEFAULT_E2E, loadE2eParams, paramsRecord, type E2eParams } from "./params";
export { previewRows, readRows, ReplicatedRows, wordCount, words, type SourceRow } from "./data";
export { generateReviews, REVIEWS_CSV, reviewsCsv, type Review } from "./generate-data";
export { endToEndSettled, runEndToEnd, runProducerMethod, type E2eCheck, type E2eOptions, type E2eResult } from "./run";
export { compareProducerMethods, type MethodRow } from "./methods";
export { parseConsumerPerf, runConsumerPerf, type JavaConsumerResult } from "./consumer-perf";
export { analysisMarkdown, checkLine, e2eSummary, formulaRows, seedBugsMarkdown, type FormulaRow } from "./texts";
export { lagFigure, latencyCdfFigure, resourcesFigure, throughputFigure } from "./charts";
export type { ConsumerBatchRow, ConsumerSide, LagSample, ProducerBatchRow, ProducerMethod, ProducerSide } from "./protocol";
export { consumerBatchesFrame, methodsFrame, producerBatchesFrame, writeE2eResults } from "./files";
