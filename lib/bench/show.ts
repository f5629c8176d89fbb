/** Notebook display for the tuning study and client comparison (tables, charts, sentences). */
import { showChart, showMarkdown, showTable } from "../display";
import { sweepFigure, type ChartContext } from "./charts";
import { sweepSentence } from "./texts";
import { pointsFrame, type Knob, type PointResult } from "./tuning";

/** A sweep's table, chart and sentence. */
export function showSweep(knob: Knob, points: PointResult[], c: ChartContext): void {
  showTable(pointsFrame(points), { caption: `${points.length} points × ${points[0]?.runs.length ?? 0} repeats (median, min, max messages/s; latencies are medians of the repeats)` });
  showChart(sweepFigure(points, knob, c));
  showMarkdown(sweepSentence(knob, points));
}

interface TslabDisplay {
  text(s: string): void;
}

/** An updating one-line progress display for long sweeps (stderr outside a kernel). */
export function pointProgress(label: string): (p: PointResult) => void {
  let display: TslabDisplay | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    display = (require("tslab") as { newDisplay(): TslabDisplay }).newDisplay();
  } catch {
    display = undefined;
  }
  let count = 0;
  return (p) => {
    count++;
    const last = p.runs[p.runs.length - 1];
    const line = `${label}: ${count} run(s) done; last ${p.knob}=${p.value}${p.knob2 ? `, ${p.knob2}=${p.value2}` : ""} (repeat ${p.runs.length}): ${Math.round(last?.msgsPerSec ?? NaN).toLocaleString("en-US")} msgs/s`;
    try {
      if (!display) throw new Error("no kernel");
      display.text(line);
    } catch {
      console.error(line);
    }
  };
}
