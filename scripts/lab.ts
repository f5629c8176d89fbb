/** `npm run lab`: JupyterLab on notebooks/, from the project's own Python environment. */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { paths } from "../lib/config";

const jupyter = path.join(path.dirname(paths.venvPython), "jupyter");
// Jupyter refuses to run as root without --allow-root; containers and this kind of machine run as root.
const rootFlag = process.getuid?.() === 0 ? ["--allow-root"] : [];
const child = spawn(jupyter, ["lab", `--notebook-dir=${paths.notebooks}`, ...rootFlag, ...process.argv.slice(2)], { stdio: "inherit" });
// Ctrl-C reaches JupyterLab through the terminal; other stop signals are passed on, so that
// stopping this command never leaves a server behind. Exit with JupyterLab's code.
process.on("SIGINT", () => undefined);
for (const signal of ["SIGTERM", "SIGHUP"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
