/**
 * Application log lines as real runtimes and proxies print them: Go (zap/logrus), Java (Spring
 * Boot), Node (pino), Python (logging), ingress-nginx, Envoy/Istio access logs, database and
 * broker clients. Used for the callers' side of a failure and for background traffic.
 */
import { SEC } from "./k8s.js";
import { Rng } from "./rng.js";
import { iso, type Res, type World } from "./world.js";

export type Lang = "go" | "gologrus" | "java" | "node" | "python" | "nginx" | "envoy";
export type Proto = "http" | "grpc" | "postgres" | "mysql" | "redis" | "kafka" | "mongo" | "amqp";
export type Failure =
  | "refused"
  | "timeout"
  | "reset"
  | "http500"
  | "http502"
  | "http503"
  | "http504"
  | "no-healthy-upstream"
  | "nxdomain"
  | "dns-timeout"
  | "x509-expired"
  | "too-many-connections"
  | "auth-failed";

export interface Target {
  proto: Proto;
  /** DNS name the client dials (e.g. cart.shop.svc.cluster.local or just cart). */
  host: string;
  port: number;
  /** Address it resolves to (ClusterIP or pod IP). */
  ip: string;
  path?: string;
  /** Short service name, for messages that use it. */
  name: string;
  /** Certificate notAfter for x509 failures. */
  notAfter?: number;
  dnsIP?: string;
  db?: string;
  user?: string;
}

const UA = [
  "okhttp/4.12.0",
  "Go-http-client/1.1",
  "axios/1.6.7",
  "python-requests/2.31.0",
  "Apache-HttpClient/5.2.1 (Java/17.0.10)",
];
const JAVA_PKGS = ["c.a.checkout", "c.a.orders", "c.a.platform", "i.n.billing", "c.g.core"];

function traceId(r: Rng): string {
  return r.hex(32);
}

function goErr(r: Rng, tg: Target, f: Failure, t: number, srcIP: string): string {
  const addr = `${tg.ip}:${tg.port}`;
  const dns = tg.dnsIP ?? "10.96.0.10";
  switch (f) {
    case "refused":
      return `dial tcp ${addr}: connect: connection refused`;
    case "timeout":
      return r.chance(0.5)
        ? `dial tcp ${addr}: i/o timeout`
        : "context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
    case "reset":
      return `read tcp ${srcIP}:${r.int(32768, 60999)}->${addr}: read: connection reset by peer`;
    case "nxdomain":
      return `dial tcp: lookup ${tg.host} on ${dns}:53: no such host`;
    case "dns-timeout":
      return `dial tcp: lookup ${tg.host} on ${dns}:53: read udp ${srcIP}:${r.int(32768, 60999)}->${dns}:53: i/o timeout`;
    case "x509-expired":
      return `tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time ${iso(t)} is after ${iso(tg.notAfter ?? t - 3600 * SEC)}`;
    case "too-many-connections":
      return tg.proto === "postgres"
        ? "FATAL: sorry, too many clients already (SQLSTATE 53300)"
        : "Error 1040: Too many connections";
    case "auth-failed":
      return tg.proto === "postgres"
        ? `FATAL: password authentication failed for user "${tg.user ?? "app"}" (SQLSTATE 28P01)`
        : `Error 1045 (28000): Access denied for user '${tg.user ?? "app"}'@'${srcIP}' (using password: YES)`;
    case "no-healthy-upstream":
      return "unexpected status 503: no healthy upstream";
    default:
      return `unexpected status ${f.slice(4)} from ${tg.name}`;
  }
}

function dbWrap(r: Rng, tg: Target, f: Failure, inner: string): string {
  switch (tg.proto) {
    case "postgres":
      if (f === "too-many-connections" || f === "auth-failed")
        return `failed to connect to \`host=${tg.host} user=${tg.user ?? "app"} database=${tg.db ?? "app"}\`: server error (${inner})`;
      return `failed to connect to \`host=${tg.host} user=${tg.user ?? "app"} database=${tg.db ?? "app"}\`: dial error (${inner})`;
    case "mysql":
      return f === "too-many-connections" || f === "auth-failed"
        ? inner
        : `[mysql] ${r.pick(["packets.go:37", "connection.go:49"])}: ${inner}`;
    case "redis":
      return `redis: ${inner}`;
    case "kafka":
      return `kafka: client has run out of available brokers to talk to: ${inner}`;
    case "grpc":
      return f === "timeout"
        ? "rpc error: code = DeadlineExceeded desc = context deadline exceeded"
        : `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: ${inner}"`;
    case "mongo":
      return `server selection error: context deadline exceeded, current topology: { Type: ReplicaSetNoPrimary, Servers: [{ Addr: ${tg.host}:${tg.port}, Type: Unknown, Last error: ${inner} }, ] }`;
    case "amqp":
      return `Exception (501) Reason: "${inner}"`;
    default:
      return inner;
  }
}

function javaErr(r: Rng, tg: Target, f: Failure, _t: number): string {
  const url = `http://${tg.host}:${tg.port}${tg.path ?? "/"}`;
  if (tg.proto === "postgres") {
    if (f === "refused")
      return `org.postgresql.util.PSQLException: Connection to ${tg.host}:${tg.port} refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.`;
    if (f === "too-many-connections")
      return "org.postgresql.util.PSQLException: FATAL: sorry, too many clients already";
    if (f === "auth-failed")
      return `org.postgresql.util.PSQLException: FATAL: password authentication failed for user "${tg.user ?? "app"}"`;
    if (f === "nxdomain" || f === "dns-timeout")
      return `org.postgresql.util.PSQLException: The connection attempt failed. Caused by: java.net.UnknownHostException: ${tg.host}`;
    return "HikariPool-1 - Connection is not available, request timed out after 30000ms.";
  }
  if (tg.proto === "redis") {
    return `io.lettuce.core.RedisConnectionException: Unable to connect to ${tg.host}/<unresolved>:${tg.port}`;
  }
  if (tg.proto === "kafka") {
    return `[Producer clientId=producer-1] Connection to node ${r.int(0, 2)} (${tg.host}/${tg.ip}:${tg.port}) could not be established. Broker may not be available.`;
  }
  switch (f) {
    case "refused":
      return `I/O error on GET request for "${url}": Connect to ${tg.host}:${tg.port} [${tg.host}/${tg.ip}] failed: Connection refused`;
    case "timeout":
      return `I/O error on GET request for "${url}": Read timed out`;
    case "reset":
      return `I/O error on GET request for "${url}": Connection reset`;
    case "nxdomain":
    case "dns-timeout":
      return `I/O error on GET request for "${url}": ${tg.host}: Name or service not known; nested exception is java.net.UnknownHostException: ${tg.host}: Name or service not known`;
    case "x509-expired":
      return `I/O error on GET request for "https://${tg.host}${tg.path ?? "/"}": PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed; nested exception is javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed`;
    case "no-healthy-upstream":
      return `503 Service Unavailable: "no healthy upstream"`;
    default:
      return `${f.slice(4)} ${f === "http502" ? "Bad Gateway" : f === "http504" ? "Gateway Timeout" : f === "http500" ? "Internal Server Error" : "Service Unavailable"}: [no body]`;
  }
}

function nodeErr(r: Rng, tg: Target, f: Failure): { message: string; code?: string } {
  const addr = `${tg.ip}:${tg.port}`;
  switch (f) {
    case "refused":
      return { message: `connect ECONNREFUSED ${addr}`, code: "ECONNREFUSED" };
    case "timeout":
      return { message: `connect ETIMEDOUT ${addr}`, code: "ETIMEDOUT" };
    case "reset":
      return { message: r.chance(0.5) ? "socket hang up" : "read ECONNRESET", code: "ECONNRESET" };
    case "nxdomain":
      return { message: `getaddrinfo ENOTFOUND ${tg.host}`, code: "ENOTFOUND" };
    case "dns-timeout":
      return { message: `getaddrinfo EAI_AGAIN ${tg.host}`, code: "EAI_AGAIN" };
    case "x509-expired":
      return { message: "certificate has expired", code: "CERT_HAS_EXPIRED" };
    case "too-many-connections":
      return {
        message:
          tg.proto === "postgres"
            ? "sorry, too many clients already"
            : "ER_CON_COUNT_ERROR: Too many connections",
        code: "53300",
      };
    case "auth-failed":
      return { message: `password authentication failed for user "${tg.user ?? "app"}"`, code: "28P01" };
    default:
      return { message: `Request failed with status code ${f === "no-healthy-upstream" ? 503 : f.slice(4)}` };
  }
}

function pyErr(r: Rng, tg: Target, f: Failure): string {
  if (tg.proto === "postgres") {
    if (f === "refused")
      return `sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "${tg.host}" (${tg.ip}), port ${tg.port} failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?`;
    if (f === "too-many-connections")
      return `sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "${tg.host}" (${tg.ip}), port ${tg.port} failed: FATAL:  sorry, too many clients already`;
    if (f === "auth-failed")
      return `sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "${tg.host}" (${tg.ip}), port ${tg.port} failed: FATAL:  password authentication failed for user "${tg.user ?? "app"}"`;
    if (f === "nxdomain" || f === "dns-timeout")
      return `sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) could not translate host name "${tg.host}" to address: ${f === "nxdomain" ? "Name or service not known" : "Temporary failure in name resolution"}`;
    return `sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "${tg.host}" (${tg.ip}), port ${tg.port} failed: timeout expired`;
  }
  if (tg.proto === "redis") {
    return f === "refused"
      ? `redis.exceptions.ConnectionError: Error 111 connecting to ${tg.host}:${tg.port}. Connection refused.`
      : `redis.exceptions.TimeoutError: Timeout connecting to server`;
  }
  const pool = `HTTPConnectionPool(host='${tg.host}', port=${tg.port})`;
  const url = tg.path ?? "/";
  const obj = `<urllib3.connection.HTTPConnection object at 0x7f${r.hex(10)}>`;
  switch (f) {
    case "refused":
      return `${pool}: Max retries exceeded with url: ${url} (Caused by NewConnectionError('${obj}: Failed to establish a new connection: [Errno 111] Connection refused'))`;
    case "timeout":
      return `${pool}: Read timed out. (read timeout=${r.pick([5, 10, 30])})`;
    case "reset":
      return `('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))`;
    case "nxdomain":
      return `${pool}: Max retries exceeded with url: ${url} (Caused by NameResolutionError("${obj}: Failed to resolve '${tg.host}' ([Errno -2] Name or service not known)"))`;
    case "dns-timeout":
      return `${pool}: Max retries exceeded with url: ${url} (Caused by NameResolutionError("${obj}: Failed to resolve '${tg.host}' ([Errno -3] Temporary failure in name resolution)"))`;
    case "x509-expired":
      return `HTTPSConnectionPool(host='${tg.host}', port=443): Max retries exceeded with url: ${url} (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired (_ssl.c:1006)')))`;
    default:
      return `${f === "no-healthy-upstream" ? 503 : f.slice(4)} Server Error: ${f === "http502" ? "Bad Gateway" : f === "http504" ? "Gateway Timeout" : "Service Unavailable"} for url: http://${tg.host}:${tg.port}${url}`;
  }
}

function fixedPick<T>(caller: Res, tg: Target, xs: readonly T[]): T {
  return new Rng(`${caller.name.replace(/-[a-z0-9]{5}$/, "")}/${tg.name}/p`).pick(xs);
}

function fixedInt(caller: Res, tg: Target, lo: number, hi: number): number {
  return new Rng(`${caller.name.replace(/-[a-z0-9]{5}$/, "")}/${tg.name}/i`).int(lo, hi);
}

/** One caller-side error line for a failing dependency, in the caller's runtime's format. */
export function clientError(
  r: Rng,
  lang: Lang,
  tg: Target,
  f: Failure,
  t: number,
  caller: Res,
): { severity: string; message: string } {
  const src = caller.podIP ?? "10.0.0.1";
  const path =
    tg.path ?? r.pick(["/api/v1/items", "/healthz/deps", "/v1/quote", "/api/orders", "/internal/lookup"]);
  const tg2 = { ...tg, path };
  switch (lang) {
    case "go": {
      const inner = goErr(r, tg2, f, t, src);
      const err =
        tg.proto === "http"
          ? f.startsWith("http") || f === "no-healthy-upstream"
            ? inner
            : `Get "http://${tg.host}:${tg.port}${path}": ${inner}`
          : dbWrap(r, tg2, f, inner);
      return {
        severity: "ERROR",
        message: JSON.stringify({
          level: "error",
          ts: iso(t, 3),
          caller: `${fixedPick(caller, tg, ["client", "store", "handler", "repo"])}/${tg.name.replace(/-/g, "_")}.go:${fixedInt(caller, tg, 40, 400)}`,
          msg: fixedPick(caller, tg, [
            `call to ${tg.name} failed`,
            "request failed",
            "upstream error",
            `${tg.name} unavailable`,
          ]),
          error: err,
          trace_id: traceId(r),
        }),
      };
    }
    case "gologrus": {
      const inner = goErr(r, tg2, f, t, src);
      const err =
        tg.proto === "http"
          ? `Get "http://${tg.host}:${tg.port}${path}": ${inner}`
          : dbWrap(r, tg2, f, inner);
      return {
        severity: "ERROR",
        message: `time="${iso(t)}" level=error msg="${r.pick(["request failed", "dependency check failed", "retrying"])}" error="${err.replace(/"/g, '\\"')}" upstream=${tg.name}`,
      };
    }
    case "java": {
      // one code base: the logging class is fixed per (caller, dependency)
      const fixed = new Rng(`${caller.name.replace(/-[a-z0-9]{5}$/, "")}/${tg.name}`);
      const pkg = fixed.pick(JAVA_PKGS);
      const style = fixed.pick(["nio", "reactor"] as const);
      const thread =
        style === "nio" ? `http-nio-8080-exec-${r.int(1, 200)}` : `reactor-http-epoll-${r.int(1, 8)}`;
      const cls = `${pkg}.${fixed.pick(["client", "repository", "service"])}.${tg.name
        .split("-")
        .map((s) => s[0]!.toUpperCase() + s.slice(1))
        .join("")}${fixed.pick(["Client", "Gateway", "Repository"])}`;
      return {
        severity: "ERROR",
        message: `${iso(t, 3).replace("T", " ").replace("Z", "")} ERROR 1 --- [${thread.slice(-15).padStart(15)}] ${cls.padEnd(40)} : ${javaErr(r, tg2, f, t)}`,
      };
    }
    case "node": {
      const e = nodeErr(r, tg2, f);
      return {
        severity: "ERROR",
        message: JSON.stringify({
          level: 50,
          time: t,
          pid: 1,
          hostname: caller.name,
          err: { type: "Error", message: e.message, ...(e.code ? { code: e.code } : {}) },
          msg: r.pick([`${tg.name} request failed`, "upstream request errored", "request errored"]),
        }),
      };
    }
    case "python":
      return {
        severity: "ERROR",
        message: `ERROR:${r.pick(["app", "worker", "api"])}.${r.pick(["clients", "deps", "db"])}:${tg.name} call failed: ${pyErr(r, tg2, f)}`,
      };
    case "nginx":
      return nginxError(r, tg2, f, t, caller);
    case "envoy":
      return envoyAccess(r, tg2, f, t);
  }
}

function nginxError(
  r: Rng,
  tg: Target,
  f: Failure,
  t: number,
  caller: Res,
): { severity: string; message: string } {
  const d = new Date(t);
  const stamp = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, "0")}/${String(d.getUTCDate()).padStart(2, "0")} ${iso(t).slice(11, 19)}`;
  const client = `10.${r.int(0, 3)}.${r.int(0, 255)}.${r.int(2, 250)}`;
  const server = r.pick(["shop.example.com", "api.example.com", "www.acme.io", "app.northwind.dev"]);
  const req = `"GET ${tg.path ?? "/"} HTTP/1.1"`;
  const up = `"http://${tg.ip}:${tg.port}${tg.path ?? "/"}"`;
  const pid = r.int(20, 60);
  const conn = r.int(10000, 9_999_999);
  switch (f) {
    case "refused":
      return {
        severity: "ERROR",
        message: `${stamp} [error] ${pid}#${pid}: *${conn} connect() failed (111: Connection refused) while connecting to upstream, client: ${client}, server: ${server}, request: ${req}, upstream: ${up}, host: "${server}"`,
      };
    case "timeout":
      return {
        severity: "ERROR",
        message: `${stamp} [error] ${pid}#${pid}: *${conn} upstream timed out (110: Operation timed out) while reading response header from upstream, client: ${client}, server: ${server}, request: ${req}, upstream: ${up}, host: "${server}"`,
      };
    case "reset":
      return {
        severity: "ERROR",
        message: `${stamp} [error] ${pid}#${pid}: *${conn} recv() failed (104: Connection reset by peer) while reading response header from upstream, client: ${client}, server: ${server}, request: ${req}, upstream: ${up}, host: "${server}"`,
      };
    case "x509-expired":
      return {
        severity: "ERROR",
        message: `${stamp} [error] ${pid}#${pid}: *${conn} upstream SSL certificate verify error: (10:certificate has expired) while SSL handshaking to upstream, client: ${client}, server: ${server}, request: ${req}, upstream: "https://${tg.ip}:${tg.port}${tg.path ?? "/"}", host: "${server}"`,
      };
    default: {
      const code = f === "no-healthy-upstream" ? 503 : Number(f.slice(4)) || 503;
      return {
        severity: "INFO",
        message: accessLine(
          r,
          t,
          client,
          tg.path ?? "/",
          code,
          `${caller.namespace}-${tg.name}-${tg.port}`,
          code === 503 ? "-" : `${tg.ip}:${tg.port}`,
        ),
      };
    }
  }
}

/** ingress-nginx access log line (its default log-format-upstream). */
export function accessLine(
  r: Rng,
  t: number,
  client: string,
  path: string,
  code: number,
  upstreamName: string,
  upstreamAddr: string,
): string {
  const d = new Date(t);
  const mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][
    d.getUTCMonth()
  ];
  const stamp = `${String(d.getUTCDate()).padStart(2, "0")}/${mon}/${d.getUTCFullYear()}:${iso(t).slice(11, 19)} +0000`;
  const rt =
    code >= 500 && upstreamAddr !== "-" ? r.float(0.5, 30).toFixed(3) : r.float(0.001, 0.2).toFixed(3);
  return `${client} - - [${stamp}] "GET ${path} HTTP/${r.pick(["1.1", "2.0"])}" ${code} ${r.int(90, 4200)} "-" "${r.pick(UA)}" ${r.int(200, 900)} ${rt} [${upstreamName}] [] ${upstreamAddr} ${upstreamAddr === "-" ? "-" : r.int(0, 4000)} ${upstreamAddr === "-" ? "-" : rt} ${upstreamAddr === "-" ? "-" : code} ${r.hex(32)}`;
}

function envoyAccess(r: Rng, tg: Target, f: Failure, t: number): { severity: string; message: string } {
  const flag =
    f === "refused"
      ? "UF"
      : f === "timeout" || f === "http504"
        ? "UT"
        : f === "no-healthy-upstream"
          ? "UH"
          : f === "reset"
            ? "UC"
            : f === "x509-expired"
              ? "UF"
              : "-";
  const code = flag === "UT" ? 504 : f === "http500" ? 500 : f === "http502" ? 502 : 503;
  const details =
    flag === "UF"
      ? f === "x509-expired"
        ? "upstream_reset_before_response_started{connection_failure,TLS_error:_268435581:SSL_routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED}"
        : "upstream_reset_before_response_started{connection_failure,delayed_connect_error:_111}"
      : flag === "UH"
        ? "no_healthy_upstream"
        : flag === "UT"
          ? "response_timeout"
          : flag === "UC"
            ? "upstream_reset_before_response_started{connection_termination}"
            : "via_upstream";
  const up = flag === "UH" ? "-" : `"${tg.ip}:${tg.port}"`;
  return {
    severity: "INFO",
    message: `[${iso(t, 3)}] "GET ${tg.path ?? "/"} HTTP/1.1" ${code} ${flag} ${details} - "-" 0 ${r.int(19, 120)} ${flag === "UT" ? r.int(15000, 30000) : r.int(0, 40)} - "${r.pick(["10.244.0.1", "-"])}" "${r.pick(UA)}" "${r.uuid()}" "${tg.host}:${tg.port}" ${up} outbound|${tg.port}||${tg.host} - ${tg.ip}:${tg.port} - - default`,
  };
}

/** Many callers failing against one target over [from, to], a line every few seconds each. */
export function callerErrors(
  w: World,
  callers: Res[],
  lang: Lang,
  tg: Target,
  f: Failure,
  from: number,
  to: number,
  o: { everySec?: [number, number]; max?: number; container?: string } = {},
): string[] {
  const r = w.rng;
  const ids: string[] = [];
  const [lo, hi] = o.everySec ?? [4, 25];
  for (const c of callers) {
    let t = from + r.int(0, lo * SEC);
    let n = 0;
    while (t < to && n < (o.max ?? 18)) {
      const { severity, message } = clientError(r, lang, tg, f, t, c);
      const id = w.log(c, t, severity, message, { container: o.container });
      if (id) ids.push(id);
      t += r.int(lo, hi) * SEC;
      n++;
    }
  }
  return ids;
}

/** Ordinary successful traffic / chatter from a pod (INFO). */
export function chatter(w: World, pod: Res, lang: Lang, from: number, to: number, n: number): void {
  const r = w.rng;
  for (let i = 0; i < n; i++) {
    const t = r.int(from, to);
    const path = r.pick([
      "/api/v1/items",
      "/healthz",
      "/metrics",
      "/api/orders/812",
      "/v1/quote",
      "/ready",
      "/api/cart",
    ]);
    let msg: string;
    switch (lang) {
      case "go":
        msg = JSON.stringify({
          level: "info",
          ts: iso(t, 3),
          caller: "http/middleware.go:62",
          msg: "request completed",
          method: "GET",
          path,
          status: 200,
          duration_ms: r.int(1, 180),
        });
        break;
      case "gologrus":
        msg = `time="${iso(t)}" level=info msg="handled request" method=GET path=${path} status=200 took=${r.int(1, 90)}ms`;
        break;
      case "java":
        msg = `${iso(t, 3).replace("T", " ").replace("Z", "")}  INFO 1 --- [nio-8080-exec-${r.int(1, 50)}] o.s.web.servlet.DispatcherServlet        : Completed 200 OK`;
        break;
      case "node":
        msg = JSON.stringify({
          level: 30,
          time: t,
          pid: 1,
          hostname: pod.name,
          req: { method: "GET", url: path },
          res: { statusCode: 200 },
          responseTime: r.int(1, 120),
          msg: "request completed",
        });
        break;
      case "python":
        msg = `INFO:     10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 250)}:${r.int(30000, 60000)} - "GET ${path} HTTP/1.1" 200 OK`;
        break;
      case "nginx":
        msg = accessLine(
          r,
          t,
          `10.${r.int(0, 3)}.${r.int(0, 255)}.${r.int(2, 250)}`,
          path,
          200,
          `${pod.namespace}-web-80`,
          `10.244.${r.int(1, 6)}.${r.int(2, 250)}:8080`,
        );
        break;
      case "envoy":
        msg = `[${iso(t, 3)}] "GET ${path} HTTP/1.1" 200 - via_upstream - "-" 0 ${r.int(100, 5000)} ${r.int(1, 80)} ${r.int(1, 70)} "-" "${r.pick(UA)}" "${r.uuid()}" "${pod.name.split("-")[0]}:8080" "127.0.0.1:8080" inbound|8080|| 127.0.0.6:${r.int(30000, 60000)} ${pod.podIP}:8080 - - default`;
        break;
    }
    w.log(pod, t, "INFO", msg);
  }
}

export function targetOf(
  svcHost: string,
  name: string,
  ip: string,
  port: number,
  proto: Proto = "http",
): Target {
  return { proto, host: svcHost, port, ip, name };
}
