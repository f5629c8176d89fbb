import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatWhen, indexHtml, listReports, writeReportsIndex } from "../../lib/notebook";

test("the index links every report with its description and generation time", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-index-"));
  for (const f of ["02-code-review.html", "01-producer-benchmark.html", "extra <report>.html", "01-producer-benchmark.ipynb", "index.html"])
    fs.writeFileSync(path.join(dir, f), "x");
  const when = new Date("2026-01-02T03:04:05Z");
  fs.utimesSync(path.join(dir, "01-producer-benchmark.html"), when, when);
  const entries = listReports(dir);
  assert.deepEqual(
    entries.map((e) => e.name),
    ["01-producer-benchmark", "02-code-review", "extra <report>"],
  );
  assert.equal(formatWhen(entries[0].generatedAt), "2026-01-02 03:04 UTC");
  const file = writeReportsIndex(dir, new Date("2026-01-03T00:00:00Z"));
  const html = fs.readFileSync(file, "utf8");
  assert.match(html, /<a href="01-producer-benchmark\.html"><strong>01-producer-benchmark<\/strong>: Problem 1/);
  assert.match(html, /generated 2026-01-02 03:04 UTC/);
  assert.match(html, /Problem 2: reading the getting-started producer/);
  assert.ok(html.includes('href="extra%20%3Creport%3E.html"') && html.includes("extra &lt;report&gt;"), "names are escaped");
  assert.ok(!html.includes('href="index.html"'));
});

test("an empty folder gets a page that says how to make reports", () => {
  assert.match(indexHtml([]), /No reports yet: run <code>npm start<\/code>/);
  assert.deepEqual(listReports(path.join(os.tmpdir(), `missing-${Date.now()}`)), []);
});
