/**
 * The Docker side of monitoring, checked without a Docker engine (this machine has none, and its
 * docker CLI has no compose plugin): docker-compose.yml and the provisioning files parsed as YAML
 * (PyYAML from the project's .venv), the monitoring profile's wiring checked, and the committed
 * recording rules checked by Prometheus' own promtool.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { paths } from "../../lib/config";
import { runChild } from "../../lib/core";
import { DASHBOARD_FILE, DOCKER_BROKER_METRICS_PORT, monitoringLayout } from "../../lib/monitoring";
import { DASHBOARD_UID } from "../../lib/monitoring/dashboard";

interface Service {
  image: string;
  profiles?: string[];
  network_mode?: string;
  ports?: string[];
  volumes?: string[];
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
}

async function yamlFile<T>(file: string): Promise<T> {
  const r = await runChild(paths.venvPython, ["-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", file], {
    timeoutMs: 30_000,
  });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

test("docker-compose.yml's monitoring profile runs the official Prometheus and Grafana images on the host's loopback", async () => {
  const compose = await yamlFile<{ services: Record<string, Service> }>(path.join(paths.root, "docker-compose.yml"));
  const { kafka, prometheus, grafana } = compose.services;
  assert.equal(kafka.profiles, undefined, "the broker runs with or without the profile");
  assert.match(prometheus.image, /^prom\/prometheus:v\d/);
  assert.match(grafana.image, /^grafana\/grafana:\d/);
  for (const s of [prometheus, grafana]) {
    assert.deepEqual(s.profiles, ["monitoring"]);
    assert.equal(s.network_mode, "host", "to reach exporters that listen on 127.0.0.1 only");
  }
  assert.ok(prometheus.command!.includes("--web.listen-address=127.0.0.1:9090"));
  assert.equal(grafana.environment!.GF_SERVER_HTTP_ADDR, "127.0.0.1");
  assert.ok(
    kafka.ports!.includes(`127.0.0.1:${DOCKER_BROKER_METRICS_PORT}:${DOCKER_BROKER_METRICS_PORT}`),
    "the broker's metrics on the host's loopback",
  );
  assert.match(kafka.entrypoint!.join("\n"), /-javaagent:\$\$jar=0\.0\.0\.0:9095:\/opt\/jmx-exporter-config\/kafka-broker\.yml/);
  // Every file a container mounts is in the project: committed, or made by setup (.broker/agents) and exporters (.monitoring/targets).
  const made = [path.join(paths.root, ".broker", "agents"), monitoringLayout().targets];
  for (const s of [kafka, prometheus, grafana]) {
    for (const v of s.volumes ?? []) {
      const host = v.split(":")[0];
      if (!host.startsWith(".")) continue; // a named volume
      const file = path.resolve(paths.root, host);
      assert.ok(made.includes(file) || fs.existsSync(file), `${host} is mounted but missing`);
    }
  }
  assert.ok(grafana.volumes!.some((v) => v.startsWith(`./${path.relative(paths.root, DASHBOARD_FILE)}:/var/lib/grafana/dashboards/`)));
});

test("Grafana is provisioned with the Prometheus data source and the generated dashboard", async () => {
  const dir = path.join(paths.monitoring, "grafana", "provisioning");
  const ds = await yamlFile<{ datasources: { type: string; url: string; isDefault: boolean }[] }>(
    path.join(dir, "datasources", "prometheus.yml"),
  );
  assert.deepEqual(
    ds.datasources.map((d) => [d.type, d.url, d.isDefault]),
    [["prometheus", "http://127.0.0.1:9090", true]],
  );
  const dash = await yamlFile<{ providers: { type: string; options: { path: string } }[] }>(path.join(dir, "dashboards", "kafka.yml"));
  assert.equal(dash.providers[0].options.path, "/var/lib/grafana/dashboards");
  const dashboard = JSON.parse(fs.readFileSync(DASHBOARD_FILE, "utf8")) as { uid: string; panels: unknown[] };
  assert.equal(dashboard.uid, DASHBOARD_UID);
});

test("the committed recording rules pass promtool", async () => {
  const L = monitoringLayout();
  const r = await runChild(L.promtool, ["check", "rules", path.join(paths.monitoring, "prometheus", "recording-rules.yml")], {
    timeoutMs: 30_000,
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS: \d+ rules found/);
});
