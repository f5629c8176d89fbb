import { spawn } from "node:child_process";
import { constants } from "node:os";
import * as path from "node:path";
import { paths } from "../config/paths";

/** Outcome of one headless notebook run (see scripts/run_notebook.py). */
export interface NotebookRun {
  ok: boolean;
  /** The source notebook, absolute. */
  notebook: string;
  /** Where the executed notebook is (or would have been) written: <outDir>/<name>.ipynb.
   *  It exists after a failing cell too, but not when a secret scan refused it. */
  executed: string;
  /** The HTML report, only when ok. */
  html?: string;
  seconds: number;
  /** Why the run failed: the failing cell's number, source and error text, or the
   *  runner's own message (timeout, kernel died, kernel not installed, secret refused). */
  error?: string;
  /** run_notebook.py's status: ok, cell_failed, timeout, kernel_died, no_kernel,
   *  refused, interrupted, usage, error. */
  status?: string;
  /** The runner's exit code: 0 ok, 1 cell failed, 3 refused, 4 timeout, 5 kernel died,
   *  6 kernel missing, 130/143 interrupted. */
  exitCode?: number | null;
}

export interface RunNotebookOptions {
  notebook: string;
  outDir: string;
  /** Extra environment for the kernel (e.g. NUM_MESSAGES), on top of process.env. */
  env?: Record<string, string>;
  /** Per-cell timeout in seconds (runner default 1800). */
  timeoutS?: number;
  /** Environment variable names whose values must not appear in any written file. */
  forbidEnv?: string[];
  /** Receives each progress line of the runner's stderr (default: written to process.stderr). */
  onProgress?: (line: string) => void;
  /** Aborting sends the runner SIGINT: it interrupts the kernel, runs cells tagged "finally",
   *  writes the executed notebook and stops (status "interrupted"). */
  signal?: AbortSignal;
}

interface RunnerSummary {
  status: string;
  executed: string | null;
  html: string | null;
  failed_cell: number | null;
  message: string;
}

/** Executes a notebook with the project's venv and tslab kernel, writes
 *  <outDir>/<name>.ipynb and, when every cell passes, <outDir>/<name>.html. Never throws
 *  for a failing notebook; the result says what went wrong. */
export async function runNotebook(opts: RunNotebookOptions): Promise<NotebookRun> {
  const notebook = path.resolve(opts.notebook);
  const outDir = path.resolve(opts.outDir);
  const executed = path.join(outDir, path.basename(notebook, ".ipynb") + ".ipynb");
  const onProgress = opts.onProgress ?? ((line: string) => process.stderr.write(line + "\n"));
  const args = [paths.runNotebook, notebook, "--out", outDir, "--json"];
  if (opts.timeoutS !== undefined) args.push("--timeout", String(opts.timeoutS));
  for (const key of opts.forbidEnv ?? []) args.push("--forbid-env", key);

  const started = Date.now();
  const child = spawn(paths.venvPython, args, {
    cwd: paths.root,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const interrupt = () => child.kill("SIGINT");
  opts.signal?.addEventListener("abort", interrupt, { once: true });

  let stdout = "";
  const stderrTail: string[] = []; // kept for when the runner dies without a summary
  let partial = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    const lines = (partial + chunk).split(/\r?\n/);
    partial = lines.pop() ?? "";
    for (const line of lines) emit(line);
  });
  function emit(line: string): void {
    stderrTail.push(line);
    if (stderrTail.length > 40) stderrTail.shift();
    onProgress(line);
  }

  const exitCode = await new Promise<number | null>((resolve) => {
    child.on("error", (err) => {
      emit(`cannot start ${paths.venvPython}: ${err.message} (run \`npm run setup\`)`);
      resolve(null);
    });
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 + constants.signals[signal] : null)));
  });
  opts.signal?.removeEventListener("abort", interrupt);
  if (partial) emit(partial);
  const seconds = (Date.now() - started) / 1000;

  const summary = parseSummary(stdout);
  if (summary?.status === "ok" && exitCode === 0 && summary.html) {
    return { ok: true, notebook, executed, html: summary.html, seconds, status: "ok", exitCode };
  }
  const error =
    summary?.message || `notebook runner exited with code ${exitCode}` + (stderrTail.length ? `:\n${stderrTail.join("\n")}` : "");
  return { ok: false, notebook, executed, seconds, error, status: summary?.status ?? "error", exitCode };
}

function parseSummary(stdout: string): RunnerSummary | undefined {
  const last = stdout.trim().split("\n").pop();
  if (!last) return undefined;
  try {
    return JSON.parse(last) as RunnerSummary;
  } catch {
    return undefined;
  }
}
