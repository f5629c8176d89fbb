/** `npm run lab`: JupyterLab on notebooks/, from the project's own Python environment. */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { paths } from "../lib/paths";

const jupyter = path.join(path.dirname(paths.venvPython), "jupyter");
const child = spawn(jupyter, ["lab", `--notebook-dir=${paths.notebooks}`, ...process.argv.slice(2)], { stdio: "inherit" });
// Ctrl-C reaches JupyterLab through the terminal; exit with its code.
process.on("SIGINT", () => undefined);
child.on("exit", (code) => process.exit(code ?? 0));
