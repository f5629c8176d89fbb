/**
 * Security material for the embedded broker's SASL_SSL listener, the local stand-in for
 * Confluent Cloud: a self-signed CA, a broker certificate signed by it (SAN IP:127.0.0.1 and
 * DNS:localhost, so librdkafka's default hostname verification passes), a PKCS#12 keystore for
 * the broker, and a SASL/PLAIN user with a generated password.
 *
 * Everything is made with the openssl command line into <home>/certs and <home>/sasl (home is
 * the broker instance's git-ignored folder, see lib/broker/layout.ts), once: later calls reuse
 * what is there. Secret files are written with mode 0600. Nothing here logs or throws a secret
 * value.
 */
import { execFile } from "node:child_process";
import { randomBytes, X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { KppError } from "../core/errors";

export const SASL_USERNAME = "student";
export const SASL_MECHANISM = "PLAIN";

/** The SASL_SSL listener's material could not be made (no openssl, a failed step, a bad user name). */
export class CertError extends KppError {
  constructor(message: string) {
    super("connection", message);
  }
}

export interface SecurityMaterial {
  /** The CA certificate clients trust: KAFKA_SSL_CA_LOCATION. */
  caPem: string;
  /** The broker's key and certificate chain (PKCS#12), for ssl.keystore.location. */
  keystore: string;
  keystorePassword: string;
  username: string;
  password: string;
  /** A ready-to-copy .env fragment for the SASL_SSL listener (see writeCredentialsEnv). */
  credentialsFile: string;
}

interface Files {
  certsDir: string;
  saslDir: string;
  caKey: string;
  caPem: string;
  brokerKey: string;
  brokerCsr: string;
  brokerPem: string;
  extFile: string;
  keystore: string;
  keystorePasswordFile: string;
  passwordFile: string;
  credentialsFile: string;
}

function files(home: string): Files {
  const certsDir = path.join(home, "certs");
  const saslDir = path.join(home, "sasl");
  return {
    certsDir,
    saslDir,
    caKey: path.join(certsDir, "ca.key"),
    caPem: path.join(certsDir, "ca.pem"),
    brokerKey: path.join(certsDir, "broker.key"),
    brokerCsr: path.join(certsDir, "broker.csr"),
    brokerPem: path.join(certsDir, "broker.pem"),
    extFile: path.join(certsDir, "broker-ext.cnf"),
    keystore: path.join(certsDir, "broker.p12"),
    keystorePasswordFile: path.join(certsDir, "keystore.password"),
    passwordFile: path.join(saslDir, "password"),
    credentialsFile: path.join(saslDir, "credentials.env"),
  };
}

/** A password made of [A-Za-z0-9_-]: nothing that needs quoting in JAAS, .env or a shell. */
function generatePassword(bytes = 24): string {
  return randomBytes(bytes).toString("base64url");
}

function writeSecret(file: string, text: string): void {
  fs.writeFileSync(file, text, { mode: 0o600 });
  fs.chmodSync(file, 0o600); // an existing file keeps its old mode otherwise
}

function readTrimmed(file: string): string | undefined {
  try {
    const v = fs.readFileSync(file, "utf8").trim();
    return v || undefined;
  } catch {
    return undefined;
  }
}

function openssl(args: string[], cwd: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("openssl", args, { cwd, timeout: timeoutMs, encoding: "utf8" }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const why =
        (err as NodeJS.ErrnoException).code === "ENOENT"
          ? "the openssl command was not found (Debian: apt-get install openssl)"
          : `openssl ${args[0]} failed: ${stderr.trim().split("\n").slice(-3).join(" ") || err.message}`;
      // args may hold -passout pass:...; the message never repeats them.
      reject(new CertError(`Cannot create the SASL_SSL listener's certificates: ${why}`));
    });
  });
}

/** Whether brokerPem is a usable broker certificate: parses, not expiring within 30 days, right SANs. */
export function certificateUsable(brokerPem: string, caPem: string): boolean {
  try {
    const cert = new X509Certificate(fs.readFileSync(brokerPem));
    const ca = new X509Certificate(fs.readFileSync(caPem));
    const monthFromNow = Date.now() + 30 * 24 * 3600 * 1000;
    return (
      cert.verify(ca.publicKey) &&
      Date.parse(cert.validTo) > monthFromNow &&
      Date.parse(ca.validTo) > monthFromNow &&
      cert.checkIP("127.0.0.1") !== undefined &&
      cert.checkHost("localhost") !== undefined
    );
  } catch {
    return false;
  }
}

async function generateCertificates(f: Files, keystorePassword: string): Promise<void> {
  fs.mkdirSync(f.certsDir, { recursive: true, mode: 0o700 });
  const cwd = f.certsDir;
  // The CA: self-signed, 10 years; it only ever signs this broker's certificate.
  await openssl(
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-sha256",
      "-days",
      "3650",
      "-keyout",
      f.caKey,
      "-out",
      f.caPem,
      "-subj",
      "/CN=kafka-producer-perf local CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ],
    cwd,
  );
  await openssl(
    ["req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-keyout", f.brokerKey, "-out", f.brokerCsr, "-subj", "/CN=localhost"],
    cwd,
  );
  // SANs: clients check the address they dialled (127.0.0.1) against these.
  fs.writeFileSync(
    f.extFile,
    [
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
    ].join("\n") + "\n",
  );
  await openssl(
    [
      "x509",
      "-req",
      "-sha256",
      "-days",
      "825",
      "-in",
      f.brokerCsr,
      "-CA",
      f.caPem,
      "-CAkey",
      f.caKey,
      "-set_serial",
      "0x" + randomBytes(8).toString("hex"),
      "-extfile",
      f.extFile,
      "-out",
      f.brokerPem,
    ],
    cwd,
  );
  await openssl(
    [
      "pkcs12",
      "-export",
      "-in",
      f.brokerPem,
      "-inkey",
      f.brokerKey,
      "-certfile",
      f.caPem,
      "-name",
      "broker",
      "-out",
      f.keystore,
      "-passout",
      `pass:${keystorePassword}`,
    ],
    cwd,
  );
  for (const secret of [f.caKey, f.brokerKey, f.keystore]) fs.chmodSync(secret, 0o600);
  fs.rmSync(f.brokerCsr, { force: true });
}

/** The .env lines for a client of the SASL_SSL listener on bootstrap. */
export function credentialsEnv(m: Pick<SecurityMaterial, "caPem" | "username" | "password">, bootstrap: string): Record<string, string> {
  return {
    KAFKA_BOOTSTRAP_SERVERS: bootstrap,
    KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
    KAFKA_SASL_MECHANISMS: SASL_MECHANISM,
    KAFKA_SASL_USERNAME: m.username,
    KAFKA_SASL_PASSWORD: m.password,
    KAFKA_SSL_CA_LOCATION: m.caPem,
  };
}

function writeCredentialsEnv(f: Files, m: Pick<SecurityMaterial, "caPem" | "username" | "password">, bootstrap: string): void {
  const env = credentialsEnv(m, bootstrap);
  const text =
    "# The embedded broker's SASL_SSL listener (generated by lib/broker/certs.ts; git-ignored).\n" +
    "# Copy these lines into .env to run every notebook and command against it, as against Confluent Cloud.\n" +
    Object.entries(env)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n") +
    "\n";
  writeSecret(f.credentialsFile, text);
}

/**
 * The CA, broker keystore and SASL user under home, made on first use and reused after
 * (certificates are remade when missing, unreadable or within 30 days of expiry).
 * `bootstrap` is the SASL_SSL listener's address, written into credentials.env.
 */
export async function ensureSecurityMaterial(
  home: string,
  bootstrap: string,
  log: (l: string) => void = () => {},
): Promise<SecurityMaterial> {
  const f = files(home);
  fs.mkdirSync(f.saslDir, { recursive: true, mode: 0o700 });
  fs.mkdirSync(f.certsDir, { recursive: true, mode: 0o700 });

  let keystorePassword = readTrimmed(f.keystorePasswordFile);
  const haveAll = keystorePassword !== undefined && fs.existsSync(f.keystore) && certificateUsable(f.brokerPem, f.caPem);
  if (!haveAll) {
    log(`Creating a local CA and broker certificate for the SASL_SSL listener in ${f.certsDir}`);
    keystorePassword = generatePassword();
    writeSecret(f.keystorePasswordFile, keystorePassword + "\n");
    await generateCertificates(f, keystorePassword);
  }

  let password = readTrimmed(f.passwordFile);
  if (!password) {
    password = generatePassword();
    writeSecret(f.passwordFile, password + "\n");
    log(`Created the SASL/PLAIN user '${SASL_USERNAME}' with a generated password (${f.credentialsFile})`);
  }
  const m = { caPem: f.caPem, username: SASL_USERNAME, password };
  writeCredentialsEnv(f, m, bootstrap);
  return { ...m, keystore: f.keystore, keystorePassword: keystorePassword!, credentialsFile: f.credentialsFile };
}

/** The SASL user and CA of an instance, if its material exists (no generation, no openssl). */
export function readSecurityMaterial(
  home: string,
): Pick<SecurityMaterial, "caPem" | "username" | "password" | "credentialsFile"> | undefined {
  const f = files(home);
  const password = readTrimmed(f.passwordFile);
  if (!password || !fs.existsSync(f.caPem)) return undefined;
  return { caPem: f.caPem, username: SASL_USERNAME, password, credentialsFile: f.credentialsFile };
}

/** JAAS for the broker's SASL_SSL listener: the PLAIN login module with one user. */
export function plainJaasConfig(username: string, password: string): string {
  for (const [what, v] of [
    ["username", username],
    ["password", password],
  ]) {
    if (!/^[A-Za-z0-9._-]+$/.test(v)) throw new CertError(`The SASL ${what} may only hold letters, digits, '.', '_' and '-'.`);
  }
  // The broker's own username/password are only used for inter-broker SASL, which we do not use.
  return (
    `org.apache.kafka.common.security.plain.PlainLoginModule required ` +
    `username="${username}" password="${password}" user_${username}="${password}";`
  );
}
