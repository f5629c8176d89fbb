#!/usr/bin/env python
"""Execute a Jupyter notebook headlessly and export it as a self-contained HTML report.

    python scripts/run_notebook.py NOTEBOOK.ipynb --out DIR [--timeout S] [--kernel tslab]
                                  [--forbid-env KEY ...] [--json]

Writes DIR/<name>.ipynb (the executed notebook) and DIR/<name>.html (lab template, no CDN
scripts, so the page needs no network). The kernel runs in the notebook's folder and
inherits this process's environment, so parameters such as NUM_MESSAGES reach it.

Progress goes to stderr, one line per cell. With --json, a single JSON summary line goes to
stdout and the failure report is part of it instead of being printed to stderr.

Every file is scanned before it is written, and so is every file the kernel wrote into --out
during the run: one holding the value of a --forbid-env variable, the project's absolute path, the
home directory or the user name (unless it is a generic account name such as root) is refused,
naming the file. Stack traces (error outputs and stderr) name the library's files relative to the project.

Exit codes: 0 ok, 1 a cell failed (executed .ipynb written, no HTML), 2 bad arguments,
3 refused to write a file containing a forbidden secret value or a private path (nothing written),
4 a cell timed out, 5 the kernel died, 6 the kernel is not installed or did not start,
9 unexpected runner error, 130/143 interrupted by SIGINT/SIGTERM.

SIGINT (Ctrl-C) is an interrupt, as in JupyterLab: the kernel is interrupted (the running cell
stops; the benchmark, run with interruptible: true, stops sending, flushes briefly and
disconnects), no further cell starts except those tagged "finally" (e.g. one that saves the
partial results), and the executed notebook is written. A second SIGINT, or the cell still
running after --grace seconds, shuts the kernel down at once; SIGTERM does so straight away.
"""

import argparse
import asyncio
import atexit
import getpass
import html
import json
import math
import os
import re
import signal
import sys
import time
from pathlib import Path

import jinja2
import nbformat
from jupyter_client.kernelspec import NoSuchKernel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async
from nbconvert import HTMLExporter

EXIT = {"ok": 0, "cell_failed": 1, "usage": 2, "refused": 3, "timeout": 4,
        "kernel_died": 5, "no_kernel": 6, "error": 9, "interrupted": 130}
SOURCE_LINES = 15  # lines of a failing cell's source shown in the report
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Stack frames from the kernel's own machinery say nothing about the student's code.
NOISE_FRAME = re.compile(r"^\s+at .*(node:vm|node:internal|node_modules[/\\](tslab|commander)[/\\])")

# The lab template without the CDN scripts (require.js, MathJax, mermaid): a report must
# open offline. Plotly charts carry their own inlined plotly.min.js.
OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def log(line):
    print(line, file=sys.stderr, flush=True)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("notebook", type=Path)
    p.add_argument("--out", type=Path, required=True, help="folder for <name>.ipynb and <name>.html")
    p.add_argument("--timeout", type=float, default=1800, help="per-cell timeout in seconds (default 1800)")
    p.add_argument("--kernel", default="tslab", help="kernel name (default tslab)")
    p.add_argument("--forbid-env", action="append", default=[], metavar="KEY",
                   help="refuse to write any file containing the value of this environment variable")
    p.add_argument("--grace", type=float, default=30,
                   help="seconds an interrupted notebook gets to wind down (default 30)")
    p.add_argument("--settle", type=float, default=3,
                   help="seconds the kernel gets after an interrupt before it is shut down (default 3)")
    p.add_argument("--json", action="store_true", help="print a JSON summary line to stdout")
    return p.parse_args()


PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Account names shared by every machine of a kind: they say nothing about a person, and words like
# "root" occur in any report. Keep in step with GENERIC_USERS in lib/submission/privacy.ts.
GENERIC_USERS = {"root", "admin", "administrator", "user", "ubuntu", "debian", "ec2-user", "node", "runner",
                 "jovyan", "vscode", "codespace", "student", "guest", "vagrant", "docker", "app"}
PRIVATE_FIX = ("show paths relative to the project (projectRelative in lib/config) and no user name "
               "in the notebook's output, then run it again")


def spellings(value):
    """A value as written, and as JSON (with and without \\u escapes) and HTML spell it."""
    return {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1],
            html.escape(value), html.escape(value, quote=False)}


class Private:
    """What a report must not tell about the machine it ran on: the project's absolute path and
    the home directory, each as a whole (/root is not /rootfs), and the user name as a segment of
    a path (/Users/max/): as a word it is often an ordinary one that any report holds. The same
    rules as lib/submission/privacy.ts."""

    def __init__(self):
        root = str(PROJECT_ROOT)
        home = os.path.expanduser("~")
        try:
            user = getpass.getuser()
        except Exception:  # no user name for this uid (some containers)
            user = ""
        self.root, self.home = root, home
        self.patterns = [(f"the project's absolute path ({root})", self.path_pattern(root))]
        if home and home not in ("/", "~", root):
            self.patterns.append((f"the home directory ({home})", self.path_pattern(home)))
        if user and user.lower() not in GENERIC_USERS:
            self.patterns.append((f"the user name ({user})", re.compile(f"(?<=[/\\\\]){self.alternatives(user)}(?=[/\\\\])")))

    @staticmethod
    def alternatives(value):
        return "(?:" + "|".join(re.escape(v) for v in sorted(spellings(value), key=len, reverse=True)) + ")"

    @classmethod
    def path_pattern(cls, value):
        """Not followed by more of a file name ("/root" is not "/rootfs" nor "/root.d", but is "/root." ending a sentence)."""
        return re.compile(cls.alternatives(value) + r"(?![\w-]|\.\w)")

    def found_in(self, text):
        for label, pattern in self.patterns:
            if pattern.search(text):
                yield label

    def relativize(self, text):
        """Paths under the project shown relative to it, and under the home directory from ~."""
        text = text.replace(self.root + os.sep, "").replace(self.root, ".")
        if self.home and self.home not in ("/", "~"):
            text = text.replace(self.home + os.sep, "~" + os.sep)
        return text


def relativize_errors(nb, private):
    """Errors and warnings (stderr, where tslab writes a failing cell's stack trace, and error
    outputs) with the library's paths relative to the project."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                out["traceback"] = [private.relativize(line) for line in out.get("traceback") or []]
                out["evalue"] = private.relativize(out.get("evalue") or "")
            elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                out["text"] = private.relativize(out.get("text") or "")


class Secrets:
    """Values of the --forbid-env variables, with the spellings they take inside JSON and HTML."""

    def __init__(self, keys):
        self.values = {k: os.environ[k] for k in keys if os.environ.get(k)}

    def found_in(self, text):
        for key, value in self.values.items():
            if any(form in text for form in spellings(value)):
                yield f"the value of {key}"

    def redact(self, text):
        for key, value in self.values.items():
            text = text.replace(value, f"<value of {key}>")
        return text


def notebook_title(nb, fallback):
    """The first markdown '# heading', else the file name."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+?)\s*#*\s*$", cell.source, re.MULTILINE)
            if m:
                return re.sub(r"[`*_]", "", m.group(1)).strip() or fallback
    return fallback


def cell_report(cell, number, headline):
    """Headline, the start of the cell's source, and the text the cell wrote to stderr or as errors."""
    lines = cell.source.splitlines()
    shown = "\n".join("    " + line for line in lines[:SOURCE_LINES])
    if len(lines) > SOURCE_LINES:
        shown += f"\n    ... ({len(lines) - SOURCE_LINES} more lines)"
    texts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream" and out.name == "stderr":
            texts.append(out.text)
        elif out.output_type == "error":
            texts.append("\n".join(out.get("traceback") or [f"{out.ename}: {out.evalue}"]))
    detail = ANSI.sub("", "".join(t if t.endswith("\n") else t + "\n" for t in texts))
    detail = "\n".join(line for line in detail.splitlines() if not NOISE_FRAME.match(line)).strip()
    return (f"Cell {number} {headline}:\n{shown}\n"
            f"--- output ---\n{detail or '(the cell wrote no error text)'}")


class Interrupted(Exception):
    """Raised by the runner's own hook to stop before the next cell after a SIGINT."""


FINALLY_TAG = "finally"
# Two deliveries of one Ctrl-C (through the process group and forwarded by a parent) are one.
SAME_SIGNAL_S = 1.0


async def execute(nb, args, workdir, state):
    """Run every cell; keeps state['cell'] (0-based index of the running cell) for error reports."""
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
    started = time.monotonic()

    def on_start(**_):
        log(f"kernel {args.kernel} ready in {time.monotonic() - started:.1f} s")

    def on_signal(sig):
        now = time.monotonic()
        first = state["signal"] is None
        if sig == signal.SIGINT and not first and now - state["signal_at"] < SAME_SIGNAL_S:
            return
        state["signal"], state["signal_at"] = sig, now
        if sig == signal.SIGINT and first and client.kc is not None:
            log(f"SIGINT: interrupting the kernel; the notebook stops after this cell "
                f"(at most {args.grace:g} s; SIGINT again to stop at once)")
            asyncio.ensure_future(interrupt_kernel())
            asyncio.get_running_loop().call_later(args.grace, lambda: asyncio.ensure_future(stop_kernel()))
        else:  # a second SIGINT, SIGTERM, or no kernel yet: let the kernel's death end the run
            asyncio.ensure_future(stop_kernel())

    async def interrupt_kernel():
        try:
            await client.km.interrupt_kernel()
        except Exception:
            await stop_kernel()

    async def stop_kernel():
        try:
            await client.km.shutdown_kernel(now=True)
        except Exception:
            pass  # not started yet, or already gone

    async def start_kernel(**kwargs):
        # nbclient installs its own SIGINT/SIGTERM handlers just before this; ours replace them
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, on_signal, sig)
        await start_nbclient_kernel(**kwargs)

    def on_execute(cell, cell_index, **_):
        if state["signal"] is not None:
            if FINALLY_TAG not in cell.metadata.get("tags", []):
                raise Interrupted()
            # the report keeps naming the interrupted cell
            log(f"running cell {cell_index + 1} (tagged {FINALLY_TAG}) after the interrupt...")
            return
        state["cell"] = cell_index
        log(f"[{code_cells.index(cell_index) + 1}/{len(code_cells)}] running cell {cell_index + 1}...")

    async def run_finally_cells():
        """After an interrupt: the cells tagged "finally" that have not run, in order (bounded by --grace)."""
        # tslab drops requests that arrive within 200 ms of a failed cell (its queue reset)
        await asyncio.sleep(0.5)
        for index in code_cells:
            cell = nb.cells[index]
            ran_up_to = -1 if state["cell"] is None else state["cell"]
            if index > ran_up_to and FINALLY_TAG in cell.metadata.get("tags", []):
                try:
                    await client.async_execute_cell(cell, index)
                except Exception as e:  # a failing clean-up cell must not hide the interrupt
                    log(f"cell {index + 1} (tagged {FINALLY_TAG}) failed after the interrupt: {type(e).__name__}")

    client = NotebookClient(
        nb, kernel_name=args.kernel, timeout=math.ceil(args.timeout), startup_timeout=120,
        resources={"metadata": {"path": str(workdir)}},
        on_notebook_start=on_start, on_cell_execute=on_execute)
    start_nbclient_kernel, client.async_start_new_kernel = client.async_start_new_kernel, start_kernel
    log(f"starting kernel {args.kernel} in {workdir}")
    try:
        # nbclient's async_execute, with room to run the "finally" cells before the kernel goes.
        client.reset_execution_trackers()
        async with client.async_setup_kernel(env=dict(os.environ)):
            info = await client.async_wait_for_reply(await ensure_async(client.kc.kernel_info()))
            if info is not None and "language_info" in info["content"]:
                nb.metadata["language_info"] = info["content"]["language_info"]
            try:
                for index, cell in enumerate(nb.cells):
                    await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            except (Interrupted, CellExecutionError):
                if state["signal"] != signal.SIGINT or not client.km.has_kernel:
                    raise
                await run_finally_cells()
                # tslab ends an interrupted cell at once while its promise runs on (the benchmark
                # stops sending, flushes, disconnects, saves): give that a moment before shutdown.
                await asyncio.sleep(args.settle)
                raise Interrupted()
    finally:
        atexit.unregister(client._cleanup_kernel)  # left registered when the start fails half-way
        if client.km is not None and client.km.has_kernel:
            await stop_kernel()


def export_html(nb, name, workdir, title):
    exporter = HTMLExporter(template_name="lab", template_file="offline.html.j2",
                            extra_loaders=[jinja2.DictLoader({"offline.html.j2": OFFLINE_TEMPLATE})],
                            embed_images=True)
    nb = nbformat.from_dict(nb)  # copy: the title goes into the report only
    nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name, "path": str(workdir)}})
    return body


SCAN_LIMIT = 64 << 20  # bytes; larger files are not text reports


def kernel_written(out_dir, since, exclude):
    """Files under out_dir modified since `since` (epoch seconds), except those in exclude."""
    for path in sorted(out_dir.rglob("*")):
        try:
            st = path.stat()
        except OSError:
            continue
        if path.is_file() and path not in exclude and st.st_mtime >= since and st.st_size <= SCAN_LIMIT:
            yield path


def write_atomic(path, text):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def main():
    args = parse_args()
    src = args.notebook.resolve()
    out_dir = args.out.resolve()
    name = src.stem
    executed_path, html_path = out_dir / f"{name}.ipynb", out_dir / f"{name}.html"
    secrets = Secrets(args.forbid_env)
    result = {"status": "ok", "executed": None, "html": None, "failed_cell": None, "message": ""}

    def finish(status, message=""):
        result.update(status=status, message=secrets.redact(message))
        if args.json:
            print(json.dumps(result), flush=True)
        elif message:
            log(result["message"])
        sig = state.get("signal")
        sys.exit(128 + sig if status == "interrupted" and sig else EXIT[status])

    state = {"cell": None, "signal": None, "signal_at": 0.0}
    if not src.is_file():
        finish("usage", f"notebook not found: {src}")
    if executed_path == src:
        finish("usage", f"--out {out_dir} would overwrite the notebook itself; choose another folder")
    try:
        nb = nbformat.read(src, as_version=4)
    except Exception as e:  # not JSON, not a notebook
        finish("usage", f"cannot read {src}: {e}")

    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in (executed_path, html_path):  # never leave an older report that looks like this run's
        stale.unlink(missing_ok=True)

    status, message = "ok", ""
    t0 = time.monotonic()
    started_wall = time.time() - 1  # file times have coarse resolution on some file systems
    try:
        asyncio.run(execute(nb, args, src.parent, state))
    except NoSuchKernel:
        finish("no_kernel", f"Jupyter kernel '{args.kernel}' is not installed for {sys.executable}; "
                            "run `npm run setup`")
    except Interrupted:
        status = "interrupted"
    except CellTimeoutError:
        status = "interrupted" if state["signal"] else "timeout"
    except CellExecutionError:
        status = "interrupted" if state["signal"] else "cell_failed"
    except (DeadKernelError, AssertionError) as e:
        # nbclient's own clean-up can trip an assertion after the kernel is gone
        status = "interrupted" if state["signal"] else "kernel_died"
        if state["cell"] is None and not state["signal"]:
            finish("no_kernel", f"kernel '{args.kernel}' died while starting: {e}")
    except RuntimeError as e:
        if state["signal"]:
            finish("interrupted", f"interrupted by {signal.Signals(state['signal']).name} while the kernel was starting")
        if state["cell"] is None:  # e.g. "Kernel didn't respond in 120 seconds"
            finish("no_kernel", f"kernel '{args.kernel}' did not start: {e}")
        finish("error", f"runner error in cell {state['cell'] + 1}: {e}")
    except Exception as e:
        finish("error", f"runner error: {type(e).__name__}: {e}")

    if status != "ok":
        number = state["cell"] + 1 if state["cell"] is not None else "?"
        cell = nb.cells[state["cell"]] if state["cell"] is not None else nbformat.v4.new_code_cell()
        headline = {
            "cell_failed": "failed",
            "timeout": f"timed out after {args.timeout:g} s (the per-cell limit, --timeout)",
            "kernel_died": "failed: the kernel died (a crash, process.exit() or out of memory)",
            "interrupted": f"was interrupted by {signal.Signals(state['signal'] or signal.SIGINT).name}",
        }[status]
        message = cell_report(cell, number, headline)
        result["failed_cell"] = state["cell"] + 1 if state["cell"] is not None else None

    # Build everything in memory, scan for forbidden values, then write.
    private = Private()
    relativize_errors(nb, private)
    files = {executed_path: nbformat.writes(nb)}
    if status == "ok":
        files[html_path] = export_html(nb, name, src.parent, notebook_title(nb, name))
    private_hit = False

    def forbidden(text):
        paths = list(private.found_in(text))
        return [*secrets.found_in(text), *paths], bool(paths)

    refusals = []
    for path, text in files.items():
        found, hit = forbidden(text)
        private_hit = private_hit or hit
        refusals += [f"refusing to write {path}: it contains {what}" for what in found]
    # What the kernel wrote into the same folder during the run (CSV, JSON summaries) is a report too.
    for path in kernel_written(out_dir, started_wall, set(files)):
        found, hit = forbidden(path.read_text(encoding="utf-8", errors="replace"))
        private_hit = private_hit or hit
        if found:
            path.unlink(missing_ok=True)
            refusals += [f"removed {path}, written by the notebook: it contains {what}" for what in found]
    # A private path (not a secret) is what the fix hint is about.
    if private_hit:
        refusals.append(f"To fix it: {PRIVATE_FIX}.")
    if refusals:
        finish("refused", "\n".join(refusals + ([message] if message else [])))
    for path, text in files.items():
        write_atomic(path, text)
        log(f"wrote {path}")
    result["executed"] = str(executed_path)
    result["html"] = str(html_path) if html_path in files else None
    log(f"{'done' if status == 'ok' else 'stopped'} in {time.monotonic() - t0:.1f} s")
    finish(status, message)


if __name__ == "__main__":
    main()
