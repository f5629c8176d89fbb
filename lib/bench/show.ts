/** Notebook display for the tuning study and client comparison (tables, charts, sentences, progress). */
import { fmt } from "../core/format";
import { liveProgress, showChart, showMarkdown, showTable } from "../notebook/display";
import { sweepFigure, type ChartContext } from "./charts";
import { sweepSentence } from "./texts";
import { pointsFrame, type Knob, type PointResult } from "./tuning";

/** A sweep's table, chart and sentence. */
export function showSweep(knob: Knob, points: PointResult[], c: ChartContext): void {
  showTable(pointsFrame(points), {
    caption: `${points.length} points × ${points[0]?.runs.length ?? 0} repeats (median, min, max messages/s; latencies are medians of the repeats)`,
  });
  showChart(sweepFigure(points, knob, c));
  showMarkdown(sweepSentence(knob, points));
}

/** An updating one-line progress display for long sweeps (stderr outside a kernel). */
export function pointProgress(label: string): (p: PointResult) => void {
  const show = liveProgress(0);
  let count = 0;
  return (p) => {
    count++;
    const last = p.runs[p.runs.length - 1];
    const point = `${p.knob}=${p.value}${p.knob2 ? `, ${p.knob2}=${p.value2}` : ""}`;
    show(label, `${label}: ${count} run(s) done; last ${point} (repeat ${p.runs.length}): ${fmt(last?.figures.msgs_per_s ?? NaN)} msgs/s`);
  };
}

/**
 * A log (runComparison's, a cluster's start-up) as one line updated in place: a notebook output,
 * not a block of stderr lines that reads like errors in a report. On a terminal, every line on stderr.
 */
export function lineProgress(label: string): (line: string) => void {
  const show = liveProgress(0);
  return (line) => show(label, `${label}: ${line}`);
}
