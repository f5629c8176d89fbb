/** `npm run lab`: JupyterLab starts from the project's .venv, on notebooks/, with the tslab kernel. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { paths } from "../lib/paths";

test("JupyterLab serves notebooks/ with the TypeScript kernel available", async () => {
  const token = `t${Date.now()}`;
  const lab = spawn(process.execPath, [path.join(paths.root, "dist", "scripts", "lab.js"), "--no-browser", "--ServerApp.port=0", `--IdentityProvider.token=${token}`], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  lab.stdout.on("data", (d) => (log += d));
  lab.stderr.on("data", (d) => (log += d));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let settled = false;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        f();
      };
      const timer = setTimeout(() => settle(() => reject(new Error(`JupyterLab did not start in 60 s:\n${log}`))), 60_000);
      const check = () => {
        if (settled) return;
        const m = /(http:\/\/(?:127\.0\.0\.1|localhost):\d+\/)/.exec(log);
        if (m) settle(() => resolve(m[1]));
        else setTimeout(check, 200);
      };
      check();
      lab.on("exit", (code) => settle(() => reject(new Error(`JupyterLab exited with ${code}:\n${log}`))));
    });
    const specs = (await (await fetch(`${url}api/kernelspecs?token=${token}`)).json()) as { kernelspecs: Record<string, { spec: { display_name: string; argv: string[] } }> };
    assert.ok(specs.kernelspecs.tslab, `kernels: ${Object.keys(specs.kernelspecs)}`);
    assert.ok(specs.kernelspecs.tslab.spec.argv[0].startsWith(paths.root), "the kernel registered inside the project");
    const contents = (await (await fetch(`${url}api/contents?token=${token}`)).json()) as { content: { name: string }[] };
    assert.ok(contents.content.some((c) => c.name === "01-producer-benchmark.ipynb"), "serving notebooks/");
  } finally {
    if (lab.exitCode === null) lab.kill("SIGTERM");
    await new Promise((r) => {
      const t = setTimeout(() => {
        lab.kill("SIGKILL");
        r(null);
      }, 10_000);
      lab.on("exit", () => {
        clearTimeout(t);
        r(null);
      });
    });
  }
});
