#!/usr/bin/env node
// Project set-up: prerequisites, npm dependencies, the Python/Jupyter environment,
// the tslab kernel, the embedded broker's jars, (for tests) Chromium, and the
// TypeScript build. Every step is idempotent and stamped under .setup/, so a run
// with nothing to do takes a second or two.
//
// Plain Node ESM with node: built-ins only: it runs before `npm install`.
//
//   node scripts/setup.mjs [--quiet] [--for-tests] [--monitoring]
//
//   --quiet       print only errors and the steps that do work
//   --for-tests   also make sure Debian's Chromium is installed (headless browser tests), and Prometheus
//   --monitoring  also install Prometheus (implied by MONITORING=1 in the environment or .env)
//
// Exit code 0 when everything is ready, 1 otherwise.

import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SETUP_DIR = path.join(ROOT, ".setup");
const NODE_MODULES = path.join(ROOT, "node_modules");
const VENV = path.join(ROOT, ".venv");
const VENV_PYTHON = path.join(VENV, "bin", "python");
const TSLAB_BIN = path.join(NODE_MODULES, ".bin", "tslab");
const TSLAB_KERNEL_JSON = path.join(VENV, "share", "jupyter", "kernels", "tslab", "kernel.json");
const BROKER_POM = path.join(ROOT, "broker", "pom.xml");
const BROKER_LIBS = path.join(ROOT, ".broker", "libs");
const BROKER_AGENTS = path.join(ROOT, ".broker", "agents");
const PROMETHEUS_HOME = path.join(ROOT, ".monitoring", "prometheus");
const PROMETHEUS_BIN = path.join(PROMETHEUS_HOME, "usr", "bin", "prometheus");
const REQUIREMENTS = path.join(ROOT, "requirements.txt");
const CHROMIUM = "/usr/bin/chromium";

/** Modules the notebooks cannot work without; they must load, not just be present. */
const KEY_MODULES = ["@confluentinc/kafka-javascript", "nodejs-polars", "tslab"];
/** librdkafka features the producers need (Confluent Cloud: SASL_SSL + PLAIN). */
const REQUIRED_FEATURES = ["ssl", "sasl_plain"];
/** Debian packages for building librdkafka from source when no prebuilt binary can be had. */
const BUILD_PACKAGES = [
  "build-essential",
  "pkg-config",
  "libssl-dev",
  "libsasl2-dev",
  "zlib1g-dev",
  "libzstd-dev",
  "liblz4-dev",
  "libcurl4-openssl-dev",
];

// ---------------------------------------------------------------- arguments and output

const USAGE = "usage: node scripts/setup.mjs [--quiet] [--for-tests] [--monitoring]";
const argv = process.argv.slice(2);
if (argv.includes("--help") || argv.includes("-h")) {
  console.log(USAGE);
  process.exit(0);
}
const unknown = argv.filter((a) => !["--quiet", "--for-tests", "--monitoring"].includes(a));
if (unknown.length > 0) {
  console.error(`✗ set-up: unknown option ${unknown.join(" ")}\n  ${USAGE}`);
  process.exit(1);
}
const QUIET = argv.includes("--quiet");
const FOR_TESTS = argv.includes("--for-tests");
/** A setting as the commands read it: the environment over .env (undefined when neither sets it). */
function envValue(key) {
  const fromFile = new RegExp(`^\\s*${key}\\s*=\\s*["']?([^"'\\s#]*)`, "m").exec(readOr(path.join(ROOT, ".env")))?.[1];
  return process.env[key] ?? fromFile;
}
/** MONITORING=1 asks for Prometheus too. */
function monitoringRequested() {
  return ["1", "true", "yes"].includes((envValue("MONITORING") ?? "").trim().toLowerCase());
}
const WITH_MONITORING = FOR_TESTS || argv.includes("--monitoring") || monitoringRequested();
const IS_ROOT = typeof process.getuid === "function" && process.getuid() === 0;
const SUDO = IS_ROOT ? "" : "sudo ";
const started = Date.now();

/** A step that had nothing to do, or finished its work. */
function done(message, { didWork = false } = {}) {
  if (!QUIET || didWork) console.log(`✓ ${message}`);
}
/** A step that is about to do work: always shown. */
function working(message) {
  console.log(`… ${message}`);
}
function warn(message) {
  console.error(`! ${message}`);
}
/** Stops the set-up: names the step and says what to do. */
function fail(step, message) {
  console.error(`✗ ${step}: ${message}`);
  process.exit(1);
}
function elapsed(since) {
  const s = (Date.now() - since) / 1000;
  return s < 60 ? `${s.toFixed(1)}s` : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
}

// ---------------------------------------------------------------- helpers

function sha256(...parts) {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(String(part)).update("\0");
  return hash.digest("hex");
}
function readOr(file, fallback = "") {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return fallback;
  }
}
function stampFile(name) {
  return path.join(SETUP_DIR, `${name}.stamp`);
}
function stampMatches(name, value) {
  return readOr(stampFile(name)).trim() === value;
}
function writeStamp(name, value) {
  fs.mkdirSync(SETUP_DIR, { recursive: true });
  fs.writeFileSync(stampFile(name), `${value}\n`);
}
function clearStamp(name) {
  fs.rmSync(stampFile(name), { force: true });
}

/** Runs a command quietly and returns its result (output captured, never shown). */
function capture(cmd, args, options = {}) {
  return spawnSync(cmd, args, {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
    ...options,
  });
}

/** Runs a command that does work, with its output shown; returns true on success. */
function runShown(step, cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"], ...options });
  if (result.error) {
    const why = result.error.code === "ENOENT" ? "command not found" : result.error.message;
    console.error(`✗ ${step}: could not run ${cmd} (${why})`);
    return false;
  }
  if (result.status !== 0) {
    const how = result.signal ? `killed by ${result.signal}` : `exit code ${result.status}`;
    console.error(`✗ ${step}: \`${[path.basename(cmd), ...args.map(shortPath)].join(" ")}\` failed (${how}); its output is above`);
    return false;
  }
  return true;
}
function shortPath(arg) {
  return String(arg).split(`${ROOT}${path.sep}`).join("");
}

/** Asynchronous capture, for the prerequisite checks that run side by side. */
function captureAsync(cmd, args) {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: ROOT, encoding: "utf8", timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ error, status: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr });
    });
  });
}
function notFound(result) {
  return result.error && result.error.code === "ENOENT";
}

// ---------------------------------------------------------------- Debian packages

let aptUpdated = false;
const hasDpkg = () => !capture("dpkg-query", ["--version"]).error;

/** Which of these Debian packages are not installed (empty off Debian: nothing to tell). */
function missingDebianPackages(packages) {
  if (!hasDpkg()) return [];
  const result = capture("dpkg-query", ["-W", "-f=${Package} ${db:Status-Abbrev}\\n", ...packages]);
  const installed = new Set(
    result.stdout
      .split("\n")
      .filter((line) => / ii\s*$/.test(line))
      .map((line) => line.split(/[ :]/)[0]),
  );
  return packages.filter((name) => !installed.has(name));
}

function aptInstall(step, packages) {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!aptUpdated) {
    if (!runShown(step, "apt-get", ["update"], { env })) return false;
    aptUpdated = true;
  }
  return runShown(step, "apt-get", ["install", "-y", ...packages], { env });
}

// ---------------------------------------------------------------- lock

// Two set-up runs at once (say `npm run lab` and `npm test`) must not both install.
const LOCK = path.join(SETUP_DIR, "lock");
let lockHeld = false;

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}
function acquireLock() {
  fs.mkdirSync(SETUP_DIR, { recursive: true });
  let told = false;
  const deadline = Date.now() + 60 * 60 * 1000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(path.join(LOCK, "pid"), String(process.pid));
      lockHeld = true;
      return;
    } catch (error) {
      if (error.code !== "EEXIST") fail("set-up", `cannot create ${shortPath(LOCK)}: ${error.message}`);
    }
    const owner = Number.parseInt(readOr(path.join(LOCK, "pid")), 10);
    if (!Number.isInteger(owner)) {
      // Being created right now, or left behind half-made: give it a moment, then take over.
      const age = Date.now() - (fs.statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (age > 5000) fs.rmSync(LOCK, { recursive: true, force: true });
    } else if (owner === process.pid || !pidAlive(owner)) {
      fs.rmSync(LOCK, { recursive: true, force: true });
      continue;
    } else if (!told) {
      working(`waiting for another set-up run to finish (pid ${owner})`);
      told = true;
    }
    if (Date.now() > deadline) fail("set-up", `another set-up run (pid ${owner}) has held ${shortPath(LOCK)} for an hour`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
  }
}
function releaseLock() {
  if (lockHeld) {
    fs.rmSync(LOCK, { recursive: true, force: true });
    lockHeld = false;
  }
}
process.on("exit", releaseLock);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    releaseLock();
    process.exit(1);
  });
}

// ---------------------------------------------------------------- 1. prerequisites

const PYTHON_PROBE = [
  "import json, os, sys",
  "ok = True",
  "try:",
  "    import venv, ensurepip",
  "except ImportError:",
  "    ok = False",
  "print(json.dumps({'version': '%d.%d.%d' % sys.version_info[:3], 'executable': os.path.realpath(sys.executable), 'venv': ok}))",
].join("\n");

async function checkPrerequisites() {
  const problems = [];
  const [python, java, maven] = await Promise.all([
    captureAsync("python3", ["-c", PYTHON_PROBE]),
    captureAsync("java", ["-version"]),
    captureAsync("mvn", ["-v"]),
  ]);

  const nodeMajor = Number(process.versions.node.split(".")[0]);
  if (nodeMajor < 20) {
    problems.push(`Node.js 20 or newer (found ${process.version}): https://nodejs.org/en/download, or \`nvm install 20\``);
  }

  let pythonInfo = null;
  let javaMajor = NaN;
  const venvHint = `${SUDO}apt-get install -y python3-venv (Debian/Ubuntu; elsewhere the python.org installer includes it)`;
  if (notFound(python)) {
    problems.push(
      `python3 (3.9 or newer) with the venv module: ${SUDO}apt-get install -y python3 python3-venv, or https://www.python.org/downloads/`,
    );
  } else if (python.status !== 0) {
    problems.push(`a working python3 (\`python3 -c ...\` failed: ${(python.stderr || "").trim().split("\n").pop()})`);
  } else {
    try {
      pythonInfo = JSON.parse(python.stdout.trim().split("\n").pop());
    } catch {
      pythonInfo = { version: "0.0.0", venv: false };
    }
    const [major, minor] = pythonInfo.version.split(".").map(Number);
    if (!pythonInfo.executable) {
      problems.push(`a working python3 (it printed something unexpected: ${python.stdout.trim().slice(0, 200)})`);
    } else if (major < 3 || (major === 3 && minor < 9)) {
      problems.push(`python3 3.9 or newer (found ${pythonInfo.version}): https://www.python.org/downloads/, or pyenv`);
    } else if (!pythonInfo.venv) {
      problems.push(`the venv module with ensurepip for python3 ${pythonInfo.version}: ${venvHint}`);
    } else {
      const venvHelp = capture("python3", ["-m", "venv", "--help"]);
      if (venvHelp.status !== 0) problems.push(`the venv module for python3 ${pythonInfo.version}: ${venvHint}`);
    }
  }

  const javaHint = `${SUDO}apt-get install -y default-jre-headless (Debian 12+/Ubuntu 22.04+), or https://adoptium.net/`;
  if (notFound(java)) {
    problems.push(`Java 17 or newer: ${javaHint}`);
  } else {
    // `openjdk version "17.0.15" 2025-04-15`, `java version "1.8.0_402"`
    const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(`${java.stderr}\n${java.stdout}`);
    const major = match ? (match[1] === "1" ? Number(match[2]) : Number(match[1])) : NaN;
    javaMajor = major;
    if (!(major >= 17)) {
      problems.push(`Java 17 or newer (found ${match ? match[0].slice(9, -1) : "an unknown version"}): ${javaHint}`);
    }
  }

  if (notFound(maven) || maven.status !== 0) {
    problems.push(
      `Maven${notFound(maven) ? "" : " (`mvn -v` failed)"}: ${SUDO}apt-get install -y maven, or https://maven.apache.org/install.html`,
    );
  }

  if (problems.length > 0) {
    console.error(`✗ prerequisites: ${problems.length} missing`);
    for (const problem of problems) console.error(`  - ${problem}`);
    process.exit(1);
  }
  done(`prerequisites (Node ${process.versions.node}, Python ${pythonInfo.version}, Java ${javaMajor}, Maven)`);
  return pythonInfo;
}

// ---------------------------------------------------------------- 2. npm dependencies

const NPM_STEP = "npm dependencies";
const KAFKA_BINARY = path.join(NODE_MODULES, "@confluentinc", "kafka-javascript", "build", "Release", "confluent-kafka-javascript.node");
const DEPENDENCY_FIELDS = [
  "dependencies",
  "devDependencies",
  "optionalDependencies",
  "peerDependencies",
  "overrides",
  "bundleDependencies",
  "workspaces",
  "allowScripts",
];

function npmStampValue() {
  // The parts of package.json that decide node_modules (editing "scripts" must not
  // trigger a reinstall and a librdkafka rebuild), the whole lockfile, and the Node
  // ABI the native modules were built for.
  let pkg;
  try {
    pkg = JSON.parse(readOr(path.join(ROOT, "package.json")));
  } catch (error) {
    fail(NPM_STEP, `package.json cannot be read: ${error.message}`);
  }
  const deps = Object.fromEntries(DEPENDENCY_FIELDS.map((field) => [field, pkg[field] ?? null]));
  return sha256(
    JSON.stringify(deps),
    readOr(path.join(ROOT, "package-lock.json")),
    process.versions.modules,
    process.platform,
    process.arch,
  );
}

/** Loads the key modules in a child Node (a broken native module must not take us down). */
function probeModules() {
  const script = `
    const out = { failed: [], features: null };
    for (const name of ${JSON.stringify(KEY_MODULES)}) {
      try {
        const mod = require(name);
        if (name === "@confluentinc/kafka-javascript") out.features = mod.features;
      } catch (error) {
        out.failed.push(name + ": " + String(error && error.message).split("\\n")[0]);
      }
    }
    process.stdout.write(JSON.stringify(out));`;
  const result = capture(process.execPath, ["-e", script]);
  try {
    return JSON.parse(result.stdout);
  } catch {
    const why = (result.stderr || "").trim().split("\n").slice(-3).join(" ") || `exit code ${result.status}, signal ${result.signal}`;
    return { failed: [`loading the modules crashed: ${why}`], features: null };
  }
}

/** An install made by hand (`npm install`) matching package-lock.json counts as installed. */
function nodeModulesMatchLockfile() {
  try {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
    const hidden = JSON.parse(fs.readFileSync(path.join(NODE_MODULES, ".package-lock.json"), "utf8"));
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    const rootEntry = lock.packages?.[""] ?? {};
    const sorted = (specs) => JSON.stringify(Object.entries(specs ?? {}).sort());
    for (const field of ["dependencies", "devDependencies", "optionalDependencies"]) {
      if (sorted(pkg[field]) !== sorted(rootEntry[field])) return false;
    }
    for (const [key, entry] of Object.entries(lock.packages ?? {})) {
      if (key === "") continue;
      const have = hidden.packages?.[key];
      if (!have) {
        if (entry.optional || entry.devOptional) continue; // e.g. another platform's binary
        return false;
      }
      if (have.version !== entry.version || have.integrity !== entry.integrity) return false;
    }
    return Object.keys(hidden.packages ?? {}).every((key) => key in lock.packages);
  } catch {
    return false;
  }
}

function checkFeatures(features) {
  const missing = REQUIRED_FEATURES.filter((feature) => !(features ?? []).includes(feature));
  if (missing.length > 0) {
    fail(
      NPM_STEP,
      `@confluentinc/kafka-javascript was built without ${missing.join(", ")} (it has: ${(features ?? []).join(", ") || "nothing"}).\n` +
        `  Install the build libraries and rebuild it:\n` +
        `    ${SUDO}apt-get install -y ${BUILD_PACKAGES.join(" ")}\n` +
        `    rm -rf node_modules/@confluentinc/kafka-javascript && npm run setup`,
    );
  }
}

function setupNpm() {
  const stamp = npmStampValue();
  const stamped = stampMatches("npm", stamp);
  if (stamped || nodeModulesMatchLockfile()) {
    const probe = probeModules();
    if (probe.failed.length === 0) {
      checkFeatures(probe.features);
      if (!stamped) writeStamp("npm", stamp);
      done(stamped ? `${NPM_STEP} (cached)` : `${NPM_STEP} (already installed)`);
      return;
    }
    warn(`${NPM_STEP}: ${probe.failed.join("; ")}; reinstalling`);
  }

  const haveLock = fs.existsSync(path.join(ROOT, "package-lock.json"));
  // `npm ci` wipes node_modules, so the Kafka client gets built again either way.
  let missingBuildPackages = [];
  if (haveLock || !fs.existsSync(KAFKA_BINARY)) {
    missingBuildPackages = missingDebianPackages(BUILD_PACKAGES);
    if (missingBuildPackages.length > 0 && IS_ROOT) {
      working(`installing Debian build packages for librdkafka: ${missingBuildPackages.join(" ")}`);
      if (!aptInstall(NPM_STEP, missingBuildPackages)) {
        fail(NPM_STEP, `could not install ${missingBuildPackages.join(" ")} with apt-get (see above)`);
      }
      missingBuildPackages = [];
    }
  }

  const command = haveLock ? "ci" : "install";
  const first = !fs.existsSync(NODE_MODULES);
  working(`installing npm dependencies with \`npm ${command}\`${first ? " (first run, a few minutes: may build librdkafka)" : ""}`);
  const since = Date.now();
  clearStamp("npm");
  const env = { ...process.env, CKJS_LINKING: "dynamic" };
  if (!runShown(NPM_STEP, "npm", [command, "--no-audit", "--no-fund"], { env })) {
    if (missingBuildPackages.length > 0) {
      fail(
        NPM_STEP,
        `building @confluentinc/kafka-javascript needs these Debian packages; install them, then run the set-up again:\n` +
          `    sudo apt-get install -y ${missingBuildPackages.join(" ")}`,
      );
    }
    fail(
      NPM_STEP,
      haveLock ? `\`npm ci\` failed; if package.json changed, run \`npm install\` to update package-lock.json` : "`npm install` failed",
    );
  }

  const probe = probeModules();
  if (probe.failed.length > 0) {
    fail(NPM_STEP, `installed, but these modules do not load:\n    ${probe.failed.join("\n    ")}`);
  }
  checkFeatures(probe.features);
  writeStamp("npm", npmStampValue());
  done(`${NPM_STEP} installed (${elapsed(since)})`, { didWork: true });
}

// ---------------------------------------------------------------- 3. Python environment

const PYTHON_STEP = "Python environment";

function venvVersion() {
  const match = /^\s*version(?:_info)?\s*=\s*(\d+\.\d+\.\d+)/m.exec(readOr(path.join(VENV, "pyvenv.cfg")));
  return match ? match[1] : null;
}

/** A venv's scripts name their interpreter by absolute path: a moved checkout breaks them. */
function venvMoved() {
  const pip = readOr(path.join(VENV, "bin", "pip")).slice(0, 1024);
  return pip !== "" && !pip.includes(path.join(VENV, "bin", "python"));
}

function setupPython(pythonInfo) {
  if (!fs.existsSync(REQUIREMENTS)) fail(PYTHON_STEP, "requirements.txt is missing");
  const stamp = sha256(readOr(REQUIREMENTS), pythonInfo.version, pythonInfo.executable, VENV);
  if (stampMatches("python", stamp) && fs.existsSync(VENV_PYTHON)) {
    done(`${PYTHON_STEP} (cached)`);
    return;
  }

  const since = Date.now();
  clearStamp("python");
  let why = null;
  if (!fs.existsSync(VENV_PYTHON)) why = "first run";
  else if (venvVersion() !== pythonInfo.version) why = `Python ${venvVersion()} -> ${pythonInfo.version}`;
  else if (venvMoved()) why = "the project has moved";
  if (why) {
    working(`creating the Python environment in .venv (${why}, ~1 min)`);
    // --clear empties a .venv that is broken or outdated (and drops its kernels: step 4 redoes tslab's).
    const args = ["-m", "venv", "--clear", VENV];
    if (!runShown(PYTHON_STEP, "python3", args)) fail(PYTHON_STEP, `could not create .venv with \`python3 -m venv\``);
  } else {
    working("updating the Python environment from requirements.txt");
  }
  const pip = ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--quiet", "-r", REQUIREMENTS];
  if (!runShown(PYTHON_STEP, VENV_PYTHON, pip)) {
    fail(PYTHON_STEP, "pip could not install requirements.txt into .venv");
  }
  writeStamp("python", stamp);
  done(`${PYTHON_STEP} ready (${elapsed(since)})`, { didWork: true });
}

// ---------------------------------------------------------------- 4. tslab kernel

const KERNEL_STEP = "tslab kernel";

function kernelArgv0() {
  try {
    return JSON.parse(fs.readFileSync(TSLAB_KERNEL_JSON, "utf8")).argv?.[0] ?? null;
  } catch {
    return null;
  }
}

function setupKernel() {
  const tslabVersion = JSON.parse(readOr(path.join(NODE_MODULES, "tslab", "package.json"), "{}")).version;
  // The absolute paths are in the stamp: a moved checkout registers the kernel again.
  const stamp = sha256(ROOT, TSLAB_BIN, VENV_PYTHON, tslabVersion);
  if (stampMatches("tslab", stamp) && kernelArgv0() === TSLAB_BIN) {
    done(`${KERNEL_STEP} (cached)`);
    return;
  }

  const since = Date.now();
  clearStamp("tslab");
  working("registering the tslab kernel in .venv");
  const args = ["install", `--python=${VENV_PYTHON}`, `--binary=${TSLAB_BIN}`, `--prefix=${VENV}`];
  const result = capture(TSLAB_BIN, args);
  if (result.error || result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}`);
    fail(KERNEL_STEP, `\`node_modules/.bin/tslab install\` failed (${result.error ? result.error.message : `exit code ${result.status}`})`);
  }

  const list = capture(path.join(VENV, "bin", "jupyter"), ["kernelspec", "list", "--json"]);
  let specs = {};
  try {
    specs = JSON.parse(list.stdout).kernelspecs ?? {};
  } catch {
    process.stderr.write(list.stderr ?? "");
    fail(KERNEL_STEP, "`.venv/bin/jupyter kernelspec list` failed");
  }
  if (!specs.tslab) fail(KERNEL_STEP, "`.venv/bin/jupyter kernelspec list` does not show tslab after installing it");
  const expectedDir = path.dirname(TSLAB_KERNEL_JSON);
  if (path.resolve(specs.tslab.resource_dir) !== expectedDir) {
    warn(
      `${KERNEL_STEP}: Jupyter picks the tslab kernel in ${specs.tslab.resource_dir}, which hides the project's ` +
        `(${shortPath(expectedDir)}); remove it with \`jupyter kernelspec remove tslab\` outside the project`,
    );
  }
  writeStamp("tslab", stamp);
  done(`${KERNEL_STEP} registered (${elapsed(since)})`, { didWork: true });
}

// ---------------------------------------------------------------- 5. broker jars

const BROKER_STEP = "broker jars";

function jarCount(dir) {
  try {
    return fs.readdirSync(dir).filter((name) => name.endsWith(".jar")).length;
  } catch {
    return 0;
  }
}

function setupBroker() {
  if (!fs.existsSync(BROKER_POM)) fail(BROKER_STEP, "broker/pom.xml is missing");
  const stamp = sha256(readOr(BROKER_POM));
  if (stampMatches("broker", stamp) && jarCount(BROKER_LIBS) > 0 && jarCount(BROKER_AGENTS) > 0) {
    done(`${BROKER_STEP} (cached)`);
    return;
  }

  const since = Date.now();
  clearStamp("broker");
  const first = !fs.existsSync(BROKER_LIBS);
  working(`fetching the embedded broker's jars with Maven${first ? " (first run, up to a minute)" : " (broker/pom.xml changed)"}`);
  // Into a fresh folder, swapped in only when complete: no stale jars stay on the classpath.
  const staging = `${BROKER_LIBS}.new`;
  fs.mkdirSync(path.dirname(BROKER_LIBS), { recursive: true });
  // The runtime classpath into libs; the "provided" ones (java agents: the JMX exporter) into agents,
  // off the classpath.
  copyDependencies(staging, "runtime");
  const agentsStaging = `${BROKER_AGENTS}.new`;
  copyDependencies(agentsStaging, "provided");
  for (const [from, to] of [
    [staging, BROKER_LIBS],
    [agentsStaging, BROKER_AGENTS],
  ]) {
    fs.rmSync(to, { recursive: true, force: true });
    fs.renameSync(from, to);
  }
  writeStamp("broker", stamp);
  done(
    `${BROKER_STEP} ready: ${jarCount(BROKER_LIBS)} jars in .broker/libs, ${jarCount(BROKER_AGENTS)} in .broker/agents (${elapsed(since)})`,
    {
      didWork: true,
    },
  );
}

/** `mvn dependency:copy-dependencies` of one scope of broker/pom.xml into a fresh folder; fails the step if it cannot. */
function copyDependencies(dir, scope) {
  fs.rmSync(dir, { recursive: true, force: true });
  const args = ["-q", "-B", "-f", BROKER_POM, "dependency:copy-dependencies", `-DoutputDirectory=${dir}`, `-DincludeScope=${scope}`];
  // Maven -q prints nothing but stray colour resets even in batch mode: capture its
  // output and show what is left once those are stripped (errors, warnings).
  const result = capture("mvn", args);
  // eslint-disable-next-line no-control-regex -- ESC is exactly what is being removed
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.replace(/\x1b\[[0-9;]*m/g, "").trim();
  if (output) console.error(output);
  if (result.error || result.status !== 0 || jarCount(dir) === 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    const why = result.error ? result.error.message : `exit code ${result.status}`;
    fail(BROKER_STEP, `\`mvn dependency:copy-dependencies\` (${scope}) failed (${why}): could not fetch the jars broker/pom.xml lists`);
  }
}

// ---------------------------------------------------------------- 6. Chromium (tests)

const CHROMIUM_STEP = "Chromium";

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function setupChromium() {
  if (isExecutable(CHROMIUM)) {
    done(`${CHROMIUM_STEP} (${CHROMIUM})`);
    return;
  }
  if (!IS_ROOT || !hasDpkg()) {
    fail(
      CHROMIUM_STEP,
      `the browser tests need Debian's Chromium at ${CHROMIUM}; install it with:\n    ${SUDO}apt-get install -y chromium`,
    );
  }
  const since = Date.now();
  working("installing Chromium for the browser tests (apt-get, ~1 min)");
  if (!aptInstall(CHROMIUM_STEP, ["chromium"]) || !isExecutable(CHROMIUM)) {
    fail(CHROMIUM_STEP, `\`apt-get install -y chromium\` did not provide ${CHROMIUM}`);
  }
  done(`${CHROMIUM_STEP} installed (${elapsed(since)})`, { didWork: true });
}

// ---------------------------------------------------------------- 7. Prometheus (monitoring, tests)

const PROMETHEUS_STEP = "Prometheus";

/** `prometheus --version`'s version, e.g. "2.42.0+ds"; null when the binary does not run. */
function prometheusVersion(bin) {
  const result = capture(bin, ["--version"]);
  if (result.error || result.status !== 0) return null;
  return /version (\S+)/.exec(`${result.stdout}${result.stderr}`)?.[1] ?? null;
}

/**
 * Debian's prometheus package, unpacked into .monitoring/prometheus (never installed: installing
 * it would start a system service on 0.0.0.0:9090). `lib/monitoring` runs its binary itself, on
 * 127.0.0.1. PROMETHEUS_BIN names another binary instead (machines without apt).
 */
function setupPrometheus() {
  const given = envValue("PROMETHEUS_BIN");
  if (given) {
    const version = prometheusVersion(given);
    if (!version) fail(PROMETHEUS_STEP, `PROMETHEUS_BIN=${given} does not run (\`--version\` failed); point it at a Prometheus 2.x binary`);
    done(`${PROMETHEUS_STEP} ${version} (PROMETHEUS_BIN)`);
    return;
  }
  const installed = fs.existsSync(PROMETHEUS_BIN) ? prometheusVersion(PROMETHEUS_BIN) : null;
  if (installed && stampMatches("prometheus", `${installed} ${process.arch}`)) {
    done(`${PROMETHEUS_STEP} ${installed} (cached)`);
    return;
  }
  if (!hasDpkg() || capture("apt-get", ["--version"]).error) {
    fail(
      PROMETHEUS_STEP,
      "monitoring needs Prometheus 2.x; this machine has no apt-get/dpkg to fetch Debian's package. Download it from " +
        "https://prometheus.io/download/ and set PROMETHEUS_BIN=/path/to/prometheus (environment or .env)",
    );
  }
  const since = Date.now();
  clearStamp("prometheus");
  working("fetching Debian's prometheus package and unpacking it into .monitoring/prometheus (not installed, no service started)");
  const download = path.join(ROOT, ".monitoring", "download");
  fs.rmSync(download, { recursive: true, force: true });
  fs.mkdirSync(download, { recursive: true });
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  let got = capture("apt-get", ["download", "prometheus"], { cwd: download, env });
  if (got.status !== 0 && IS_ROOT && !aptUpdated) {
    // An empty or stale package list: refresh it once and try again.
    if (runShown(PROMETHEUS_STEP, "apt-get", ["update"], { env })) aptUpdated = true;
    got = capture("apt-get", ["download", "prometheus"], { cwd: download, env });
  }
  const deb = fs.existsSync(download) ? fs.readdirSync(download).find((name) => /^prometheus_.*\.deb$/.test(name)) : undefined;
  if (got.error || got.status !== 0 || !deb) {
    process.stderr.write(`${got.stdout ?? ""}${got.stderr ?? ""}`);
    fail(
      PROMETHEUS_STEP,
      `\`apt-get download prometheus\` failed${IS_ROOT ? "" : ` (try \`${SUDO}apt-get update\` first)`}; ` +
        "or install Prometheus 2.x yourself and set PROMETHEUS_BIN=/path/to/prometheus",
    );
  }
  const staging = `${PROMETHEUS_HOME}.new`;
  fs.rmSync(staging, { recursive: true, force: true });
  const unpacked = capture("dpkg-deb", ["-x", path.join(download, deb), staging]);
  const version = unpacked.status === 0 ? prometheusVersion(path.join(staging, "usr", "bin", "prometheus")) : null;
  if (!version) {
    process.stderr.write(`${unpacked.stdout ?? ""}${unpacked.stderr ?? ""}`);
    fs.rmSync(staging, { recursive: true, force: true });
    fail(PROMETHEUS_STEP, `\`dpkg-deb -x ${deb}\` did not give a working prometheus binary`);
  }
  fs.rmSync(PROMETHEUS_HOME, { recursive: true, force: true });
  fs.renameSync(staging, PROMETHEUS_HOME);
  fs.rmSync(download, { recursive: true, force: true });
  writeStamp("prometheus", `${version} ${process.arch}`);
  done(`${PROMETHEUS_STEP} ${version} unpacked into .monitoring/prometheus (${elapsed(since)})`, { didWork: true });
}

// ---------------------------------------------------------------- 8. TypeScript

const TSC_STEP = "TypeScript";

/**
 * Deletes compiled files whose TypeScript source is gone. A file moved into a folder of the same
 * name (lib/config.ts → lib/config/index.ts) would otherwise leave dist/lib/config.js behind, and
 * Node resolves `require("./config")` to that stale file before the folder's index.js.
 */
function removeStaleOutputs() {
  const dist = path.join(ROOT, "dist");
  let removed = 0;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(file);
        if (fs.readdirSync(file).length === 0) fs.rmdirSync(file);
        continue;
      }
      const m = /^(.*)\.(js|js\.map|d\.ts)$/.exec(entry.name);
      if (!m) continue;
      const source = path.join(ROOT, path.relative(dist, dir), `${m[1]}.ts`);
      if (!fs.existsSync(source)) {
        fs.rmSync(file);
        removed++;
      }
    }
  };
  if (fs.existsSync(dist)) walk(dist);
  if (removed > 0) done(`${TSC_STEP}: removed ${removed} compiled file(s) whose source is gone`, { didWork: true });
}

function buildTypeScript() {
  removeStaleOutputs();
  const buildInfo = path.join(ROOT, "dist", ".tsbuildinfo");
  const before = fs.statSync(buildInfo, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const result = capture(path.join(NODE_MODULES, ".bin", "tsc"), ["-p", "tsconfig.json"]);
  if (result.error || result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trimEnd();
    if (output) console.error(output);
    fail(TSC_STEP, `\`tsc -p tsconfig.json\` failed${result.error ? ` (${result.error.message})` : ""}`);
  }
  const after = fs.statSync(buildInfo, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (after !== before) done(`${TSC_STEP} compiled into dist/`, { didWork: true });
  else done(`${TSC_STEP} (up to date)`);
}

// ---------------------------------------------------------------- main

const pythonInfo = await checkPrerequisites();
acquireLock();
setupNpm();
setupPython(pythonInfo);
setupKernel();
setupBroker();
if (FOR_TESTS) setupChromium();
if (WITH_MONITORING) setupPrometheus();
buildTypeScript();
releaseLock();
done(`set-up complete (${elapsed(started)})`);
