/** Starts `npm run lab`'s JupyterLab on a free port for a test, and stops it again. */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { paths } from "../../lib/config";
import { terminate } from "../../lib/core/processes";

export interface RunningLab {
  url: string;
  token: string;
  log: () => string;
  stop: () => Promise<void>;
}

export async function startLab(env: Record<string, string> = {}, timeoutMs = 60_000): Promise<RunningLab> {
  const token = `t${Date.now()}`;
  const lab: ChildProcess = spawn(
    process.execPath,
    [path.join(paths.root, "dist", "scripts", "lab.js"), "--no-browser", "--ServerApp.port=0", `--IdentityProvider.token=${token}`],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    },
  );
  let log = "";
  lab.stdout?.on("data", (d) => (log += d));
  lab.stderr?.on("data", (d) => (log += d));
  const stop = async () => {
    if (lab.exitCode !== null || lab.signalCode !== null || lab.pid === undefined) return;
    await terminate(lab.pid, 10_000, () => undefined, "JupyterLab");
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let settled = false;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        f();
      };
      const timer = setTimeout(() => settle(() => reject(new Error(`JupyterLab did not start in ${timeoutMs} ms:\n${log}`))), timeoutMs);
      const check = () => {
        if (settled) return;
        const m = /(http:\/\/(?:127\.0\.0\.1|localhost):\d+\/)/.exec(log);
        if (m) settle(() => resolve(m[1]));
        else setTimeout(check, 200);
      };
      check();
      lab.on("exit", (code) => settle(() => reject(new Error(`JupyterLab exited with ${code}:\n${log}`))));
    });
    return { url, token, log: () => log, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
