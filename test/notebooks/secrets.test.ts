/**
 * Secrets never leak: the export refuses any report holding the active config's password (and
 * removes results files the notebook wrote with it), every printable form of a connection hides
 * it, errors never carry it, .env is git-ignored and .env.example holds placeholders only.
 * (The SASL_SSL listener's own checks, broker logs and a real notebook run, are in sasl.test.ts.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inspect } from "node:util";
import * as dotenv from "dotenv";
import { loadConnection, paths, REDACTED, type Env } from "../../lib/config";
import { ConfigError } from "../../lib/core";
import { environmentInfo } from "../../lib/broker";
import { scrubSecrets } from "../../lib/kafka";
import { runNotebook } from "../../lib/notebook";

const fixtures = path.join(paths.root, "test", "fixtures");
const LIMIT = { timeout: 180_000 };

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secrets-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A value that appears nowhere by chance. */
const planted = () => `Pl4nted_${process.pid}_${Date.now().toString(36)}-secret`;

function everyFile(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath ?? (d as unknown as { path: string }).path, d.name));
}

test("export: a report holding KAFKA_SASL_PASSWORD's value is refused, naming the file and the key", LIMIT, async (t) => {
  const out = tempDir(t);
  const secret = planted();
  const progress: string[] = [];
  // secret.ipynb prints PLANTED_SECRET in an output: here it is the active config's password.
  const run = await runNotebook({
    notebook: path.join(fixtures, "secret.ipynb"),
    outDir: out,
    env: { PLANTED_SECRET: secret, KAFKA_SASL_PASSWORD: secret },
    forbidEnv: ["KAFKA_SASL_PASSWORD"],
    onProgress: (line) => progress.push(line),
  });
  assert.equal(run.ok, false);
  assert.equal(run.status, "refused");
  assert.equal(run.exitCode, 3);
  assert.match(run.error!, /refusing to write .*secret\.ipynb: it contains the value of KAFKA_SASL_PASSWORD/);
  assert.ok(!run.error!.includes(secret) && !progress.join("\n").includes(secret), "the refusal does not repeat the value");
  assert.deepEqual(fs.readdirSync(out), [], "nothing was written");
});

test("export: a results file the notebook wrote with the password in it is removed and the run refused", LIMIT, async (t) => {
  const out = tempDir(t);
  const secret = planted();
  const run = await runNotebook({
    notebook: path.join(fixtures, "secret-file.ipynb"),
    outDir: out,
    env: { REPORTS_DIR: out, KAFKA_SASL_PASSWORD: secret },
    forbidEnv: ["KAFKA_SASL_PASSWORD"],
    onProgress: () => undefined,
  });
  assert.equal(run.status, "refused", run.error);
  assert.match(run.error!, /removed .*leak\.summary\.json, written by the notebook: it contains the value of KAFKA_SASL_PASSWORD/);
  for (const f of everyFile(out)) assert.ok(!fs.readFileSync(f, "utf8").includes(secret), `${f} holds the secret`);
});

test("a connection never shows its password: inspect, JSON, string, summary, environment info", () => {
  const secret = planted();
  const c = loadConnection({
    KAFKA_BOOTSTRAP_SERVERS: "pkc-abc.us-east-1.aws.confluent.cloud:9092",
    KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
    KAFKA_SASL_MECHANISMS: "PLAIN",
    KAFKA_SASL_USERNAME: "APIKEY123",
    KAFKA_SASL_PASSWORD: secret,
  });
  const forms = [
    inspect(c),
    inspect(c, { showHidden: true, depth: 5 }),
    JSON.stringify(c),
    String(c),
    `${c}`,
    JSON.stringify(c.summary()),
    JSON.stringify(environmentInfo(c)),
    inspect({ nested: [c] }),
  ];
  for (const f of forms) {
    assert.ok(!f.includes(secret), `leaked in: ${f}`);
  }
  assert.match(JSON.stringify(c), new RegExp(REDACTED.replace(/\*/g, "\\*")));
  assert.equal(c.clientConfig()["sasl.password"], secret, "only the client config carries it");
  assert.deepEqual(c.secrets(), [secret]);
  assert.equal(scrubSecrets(`oops ${secret} twice ${secret}`, c), `oops ${REDACTED} twice ${REDACTED}`);
});

test("configuration errors never carry the password", () => {
  const secret = planted();
  const cases: Env[] = [
    { KAFKA_BOOTSTRAP_SERVERS: "host:9092", KAFKA_SECURITY_PROTOCOL: "PLAINTEXT", KAFKA_SASL_PASSWORD: secret },
    { KAFKA_BOOTSTRAP_SERVERS: "host:9092", KAFKA_SECURITY_PROTOCOL: "SASL_SSL", KAFKA_SASL_PASSWORD: secret },
    { KAFKA_SECURITY_PROTOCOL: "SASL_SSL", KAFKA_SASL_PASSWORD: secret },
    {
      KAFKA_BOOTSTRAP_SERVERS: "host:9092",
      KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
      KAFKA_SASL_USERNAME: "u",
      KAFKA_SASL_PASSWORD: `<${secret}>`,
    },
    {
      KAFKA_BOOTSTRAP_SERVERS: "host:9092",
      KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
      KAFKA_SASL_USERNAME: "u",
      KAFKA_SASL_PASSWORD: secret,
      KAFKA_SSL_CA_LOCATION: "/nonexistent/ca.pem",
    },
  ];
  for (const env of cases) {
    assert.throws(
      () => loadConnection(env),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.ok(!e.message.includes(secret) && !String(e.stack).includes(secret), `leaked: ${e.message}`);
        return true;
      },
    );
  }
});

test(".env is git-ignored; .env.example holds placeholders only", () => {
  const git = (args: string[]) => spawnSync("git", args, { cwd: paths.root, encoding: "utf8" });
  if (git(["rev-parse", "--is-inside-work-tree"]).status !== 0) return; // not a git checkout: nothing to check
  for (const f of [".env", ".env.local", ".broker/sasl/credentials.env", ".broker/certs/ca.key", "reports/01-producer-benchmark.html"]) {
    assert.equal(git(["check-ignore", "-q", f]).status, 0, `${f} must be git-ignored`);
  }
  assert.notEqual(git(["check-ignore", "-q", ".env.example"]).status, 0, ".env.example is committed");
  assert.equal(git(["ls-files", "--error-unmatch", ".env"]).status === 0, false, ".env is not tracked");

  const example = dotenv.parse(fs.readFileSync(path.join(paths.root, ".env.example")));
  for (const key of ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"]) {
    assert.match(example[key] ?? "", /^<[^>]+>$/, `${key} in .env.example must be a <placeholder>`);
  }
  // Copied as is, it is refused with a placeholder error (not sent to a cluster).
  assert.throws(() => loadConnection(example), /placeholder/);
});
