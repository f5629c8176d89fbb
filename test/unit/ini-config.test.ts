import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { paths } from "../../lib/config/paths";
import { KppError } from "../../lib/core/errors";
import {
  findLine,
  IniConfigError,
  loadExampleConfig,
  parseExampleConfig,
  redactSettings,
  validationExamples,
} from "../../lib/getting-started";

const ok = "[default]\nbootstrap.servers=127.0.0.1:9092\n\n[consumer]\ngroup.id=g1\nauto.offset.reset=earliest\n";

function fails(text: string, role: "producer" | "consumer", check: (e: IniConfigError) => boolean): void {
  assert.throws(
    () => parseExampleConfig(text, "t.ini", role),
    (e: unknown) => e instanceof IniConfigError && check(e),
    text,
  );
}

test("the producer gets [default]; the consumer gets [default] and [consumer]", () => {
  assert.deepEqual(parseExampleConfig(ok, "t.ini", "producer").settings, { "bootstrap.servers": "127.0.0.1:9092" });
  assert.deepEqual(parseExampleConfig(ok, "t.ini", "consumer").settings, {
    "bootstrap.servers": "127.0.0.1:9092",
    "group.id": "g1",
    "auto.offset.reset": "earliest",
  });
  // ini turns true into a boolean; librdkafka needs strings back. [consumer] wins over [default].
  const c = parseExampleConfig(
    "[default]\nbootstrap.servers=a:1\nenable.auto.commit=true\n[consumer]\ngroup.id=g\nenable.auto.commit=false\n",
    "t.ini",
    "consumer",
  );
  assert.equal(c.settings["enable.auto.commit"], "false");
  assert.equal(
    parseExampleConfig("[default]\nbootstrap.servers=a:1\nsocket.keepalive.enable=true\n", "t.ini", "producer").settings[
      "socket.keepalive.enable"
    ],
    "true",
  );
});

test("the shipped examples: the embedded one loads, the cloud template refuses its placeholders", () => {
  const embedded = loadExampleConfig(path.join(paths.root, "config", "getting_started.ini"), "consumer");
  assert.equal(embedded.settings["bootstrap.servers"], "127.0.0.1:9092");
  assert.equal(embedded.settings["auto.offset.reset"], "earliest");
  assert.throws(
    () => loadExampleConfig(path.join(paths.root, "config", "getting_started.cloud.ini"), "producer"),
    /bootstrap\.servers is still a placeholder/,
  );
});

test("missing file, sections and keys are clear errors", () => {
  assert.throws(() => loadExampleConfig("/nonexistent/x.ini", "producer"), /x\.ini: does not exist; pass an INI file/);
  // A configuration error for every command: kind "config", exit code 2.
  assert.throws(
    () => loadExampleConfig("/nonexistent/x.ini", "producer"),
    (e: unknown) => e instanceof KppError && e.kind === "config" && e.exitCode === 2 && e.name === "IniConfigError",
  );
  fails("[producer]\nbootstrap.servers=a:1\n", "producer", (e) => /no \[default\] section \(found: \[producer\]\)/.test(e.message));
  fails("", "producer", (e) => /no \[default\] section;/.test(e.message));
  fails("[default]\nlinger.ms=5\n", "producer", (e) => e.key === "bootstrap.servers" && /bootstrap\.servers is missing/.test(e.message));
  fails("[default]\nbootstrap.servers=a:1\n", "consumer", (e) => /no \[consumer\] section/.test(e.message));
  fails("[default]\nbootstrap.servers=a:1\n[consumer]\nauto.offset.reset=earliest\n", "consumer", (e) =>
    /group\.id is missing/.test(e.message),
  );
  fails(
    "bootstrap.servers=a:1\n[default]\nbootstrap.servers=a:1\n",
    "producer",
    (e) => e.line === 1 && /outside any section/.test(e.message),
  );
});

test("an unknown librdkafka key or a bad value names section, line and key", () => {
  fails(
    "[default]\nbootstrap.servers=a:1\n\nlinger.mss=5\n",
    "producer",
    (e) => e.section === "default" && e.line === 4 && e.key === "linger.mss" && /not a librdkafka configuration property/.test(e.message),
  );
  fails(
    ok.replace("group.id=g1", "group.id=g1\ngroup.idd=x"),
    "consumer",
    (e) => e.section === "consumer" && e.line === 6 && /'group\.idd' is not a librdkafka/.test(e.message),
  );
  fails(
    "[default]\nbootstrap.servers=a:1\nacks=many\n",
    "producer",
    (e) => e.line === 3 && /acks = 'many' is not a valid value/.test(e.message),
  );
  fails(ok.replace("earliest", "soonest"), "consumer", (e) => e.key === "auto.offset.reset" && /'soonest'/.test(e.message));
});

test("secrets never appear in errors or printable settings", () => {
  const secret = "s3cr3t-VALUE";
  // An invalid value for a secret-looking key: the message must not echo it.
  const text = `[default]\nbootstrap.servers=a:1\nsasl.password=<${secret}>\n`;
  assert.throws(
    () => parseExampleConfig(text, "t.ini", "producer"),
    (e: unknown) => e instanceof Error && !e.message.includes(secret) && /sasl\.password is still a placeholder/.test(e.message),
  );
  const c = parseExampleConfig(
    `[default]\nbootstrap.servers=a:1\nsecurity.protocol=SASL_SSL\nsasl.mechanisms=PLAIN\nsasl.username=key\nsasl.password=${secret}\n`,
    "t.ini",
    "producer",
  );
  assert.equal(c.settings["sasl.password"], secret);
  assert.deepEqual(redactSettings(c.settings)["sasl.password"], "********");
  assert.ok(!JSON.stringify(redactSettings(c.settings)).includes(secret));
  assert.ok(validationExamples().every((x) => x.error !== "(accepted)"));
});

test("findLine locates keys per section, skipping comments", () => {
  const text = "# c\n[default]\n; linger.ms=1\nlinger.ms = 5\n[consumer]\nlinger.ms=6\n";
  assert.equal(findLine(text, "default", "linger.ms"), 4);
  assert.equal(findLine(text, "consumer", "linger.ms"), 6);
  assert.equal(findLine(text, "consumer"), 5);
  assert.equal(findLine(text, "nope", "linger.ms"), undefined);
});
