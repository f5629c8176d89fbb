/**
 * Test-only checks on the reports a notebook run wrote: nothing in them tells about the machine
 * (the project's absolute path, the home directory, the user name), and no executed notebook
 * holds a stderr output (in an exported report that is a pink block a grader reads as an error).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { findPrivate, privateValues } from "../../lib/submission";

/** Every file under dir, recursively. */
export function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath ?? (d as unknown as { path: string }).path, d.name));
}

/** "file: what" for every file under dir that holds a private value of this machine (none expected). */
export function privateDataIn(dir: string): string[] {
  const values = privateValues({});
  return filesUnder(dir)
    .filter((f) => !/\.(png|zip)$/.test(f))
    .flatMap((f) => findPrivate(fs.readFileSync(f, "utf8"), values).map((what) => `${path.basename(f)}: ${what}`));
}

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
}

/** The stderr outputs of an executed notebook, "cell N: first line" each. */
export function stderrOutputs(executed: string): string[] {
  const nb = JSON.parse(fs.readFileSync(executed, "utf8")) as { cells: { cell_type: string; outputs?: Output[] }[] };
  return nb.cells.flatMap((c, i) =>
    (c.outputs ?? [])
      .filter((o) => o.output_type === "stream" && o.name === "stderr")
      .map((o) => `cell ${i + 1}: ${(Array.isArray(o.text) ? o.text.join("") : (o.text ?? "")).split("\n")[0]}`),
  );
}

/** Code cells of an executed notebook that show nothing, "cell N" each (none expected: every cell shows its result). */
export function silentCodeCells(executed: string): string[] {
  const nb = JSON.parse(fs.readFileSync(executed, "utf8")) as { cells: { cell_type: string; outputs?: Output[] }[] };
  return nb.cells.flatMap((c, i) => (c.cell_type === "code" && !(c.outputs ?? []).length ? [`cell ${i + 1}`] : []));
}
