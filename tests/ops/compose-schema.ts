import { z } from "zod";

/**
 * A vendored subset of the Compose Specification's JSON schema
 * (github.com/compose-spec/compose-spec, schema/compose-spec.json), written in zod because no JSON
 * Schema validator is installed. What it validates, honestly:
 * - the top level: `name`, `services`, `volumes`, `networks`, `secrets`, `configs` and `x-*`
 *   extensions, nothing else (the spec forbids other keys);
 * - each service: only keys the spec defines (a typo like `depend_on` fails), and for the keys our
 *   file uses, the spec's types: `image`, `build` (string or {context, dockerfile, args, target}),
 *   `command`/`entrypoint` (string or list), `environment` (map or KEY=VALUE list), `ports`
 *   (short syntax pattern or long form), `volumes` (short syntax or long form), `depends_on`
 *   (list or map with the spec's `condition` values), `healthcheck` (test form, durations),
 *   `deploy` (replicas, resources limits/reservations), `restart` policy values, `profiles`;
 * - durations and memory sizes against the spec's formats.
 * What it does not: every other key's inner structure (accepted as present in the spec's key list),
 * networking semantics, image existence, and the engine's own runtime checks. Interpolation
 * (`${VAR:-default}`) is applied first, as `docker compose config` does.
 */

const duration = z.string().regex(/^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/, "must be a duration like 10s or 1m30s");
const memory = z.union([
  z.number().int().positive(),
  z.string().regex(/^\d+(\.\d+)?[bkmg]?b?$/i, "must be a size like 512m or 1g"),
]);
const intLike = z.union([z.number().int(), z.string().regex(/^\d+$/)]);
const listOrDict = z.union([
  z.record(
    z.string().regex(/^[A-Za-z_.-][A-Za-z0-9_.-]*$/),
    z.union([z.string(), z.number(), z.boolean(), z.null()]),
  ),
  z.array(z.string().regex(/^[^=]+(=.*)?$/)),
]);
const stringOrList = z.union([z.string(), z.array(z.string())]);

const portShort = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^((\[?[\d.:a-fA-F]+\]?):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/, "is not a port mapping"),
]);
const portLong = z.strictObject({
  name: z.string().optional(),
  mode: z.string().optional(),
  host_ip: z.string().optional(),
  target: intLike,
  published: intLike.optional(),
  protocol: z.enum(["tcp", "udp", "sctp"]).optional(),
  app_protocol: z.string().optional(),
});

const volumeShort = z
  .string()
  .regex(
    /^([^:]+:)?[^:]+(:(ro|rw|z|Z|cached|delegated|consistent|nocopy)(,(ro|rw|z|Z|nocopy))*)?$/,
    "is not a volume mount",
  );
const volumeLong = z.strictObject({
  type: z.enum(["volume", "bind", "tmpfs", "npipe", "cluster", "image"]),
  source: z.string().optional(),
  target: z.string(),
  read_only: z.boolean().optional(),
  consistency: z.string().optional(),
  bind: z.record(z.string(), z.unknown()).optional(),
  volume: z.record(z.string(), z.unknown()).optional(),
  tmpfs: z.record(z.string(), z.unknown()).optional(),
  image: z.record(z.string(), z.unknown()).optional(),
});

const healthcheck = z.strictObject({
  disable: z.boolean().optional(),
  interval: duration.optional(),
  retries: z.number().int().min(0).optional(),
  test: z.union([
    z.string(),
    z
      .array(z.string())
      .min(1)
      .refine(
        (t) => ["NONE", "CMD", "CMD-SHELL"].includes(t[0]!),
        "test list must start with NONE, CMD or CMD-SHELL",
      ),
  ]),
  timeout: duration.optional(),
  start_period: duration.optional(),
  start_interval: duration.optional(),
});

const resources = z.strictObject({
  cpus: z.union([z.number(), z.string()]).optional(),
  memory: memory.optional(),
  pids: z.number().int().optional(),
  devices: z.array(z.unknown()).optional(),
  generic_resources: z.array(z.unknown()).optional(),
});

const deploy = z.strictObject({
  mode: z.enum(["replicated", "global", "replicated-job", "global-job"]).optional(),
  replicas: intLike.optional(),
  endpoint_mode: z.string().optional(),
  labels: listOrDict.optional(),
  placement: z.record(z.string(), z.unknown()).optional(),
  resources: z.strictObject({ limits: resources.optional(), reservations: resources.optional() }).optional(),
  restart_policy: z.record(z.string(), z.unknown()).optional(),
  rollback_config: z.record(z.string(), z.unknown()).optional(),
  update_config: z.record(z.string(), z.unknown()).optional(),
});

const dependsOn = z.union([
  z.array(z.string()),
  z.record(
    z.string(),
    z.strictObject({
      condition: z.enum(["service_started", "service_healthy", "service_completed_successfully"]),
      restart: z.boolean().optional(),
      required: z.boolean().optional(),
    }),
  ),
]);

/** Service keys the Compose Specification defines (services.* additionalProperties: false). */
const OTHER_SERVICE_KEYS = [
  "annotations",
  "attach",
  "blkio_config",
  "cpu_count",
  "cpu_percent",
  "cpu_shares",
  "cpu_quota",
  "cpu_period",
  "cpu_rt_period",
  "cpu_rt_runtime",
  "cpus",
  "cpuset",
  "cap_add",
  "cap_drop",
  "cgroup",
  "cgroup_parent",
  "configs",
  "container_name",
  "credential_spec",
  "develop",
  "device_cgroup_rules",
  "devices",
  "dns",
  "dns_opt",
  "dns_search",
  "domainname",
  "env_file",
  "expose",
  "extends",
  "external_links",
  "extra_hosts",
  "gpus",
  "group_add",
  "hostname",
  "init",
  "ipc",
  "isolation",
  "labels",
  "links",
  "label_file",
  "logging",
  "mac_address",
  "mem_limit",
  "mem_reservation",
  "mem_swappiness",
  "memswap_limit",
  "network_mode",
  "networks",
  "oom_kill_disable",
  "oom_score_adj",
  "pid",
  "pids_limit",
  "platform",
  "privileged",
  "provider",
  "pull_policy",
  "read_only",
  "runtime",
  "scale",
  "secrets",
  "security_opt",
  "shm_size",
  "stdin_open",
  "stop_signal",
  "storage_opt",
  "sysctls",
  "tmpfs",
  "tty",
  "ulimits",
  "use_api_socket",
  "user",
  "userns_mode",
  "uts",
  "volumes_from",
  "working_dir",
  "models",
] as const;

const service = z
  .strictObject({
    image: z.string().optional(),
    build: z
      .union([
        z.string(),
        z.strictObject({
          context: z.string().optional(),
          dockerfile: z.string().optional(),
          args: listOrDict.optional(),
          target: z.string().optional(),
          cache_from: z.array(z.string()).optional(),
          labels: listOrDict.optional(),
          platforms: z.array(z.string()).optional(),
        }),
      ])
      .optional(),
    command: z.union([stringOrList, z.null()]).optional(),
    entrypoint: z.union([stringOrList, z.null()]).optional(),
    environment: listOrDict.optional(),
    ports: z.array(z.union([portShort, portLong])).optional(),
    volumes: z.array(z.union([volumeShort, volumeLong])).optional(),
    depends_on: dependsOn.optional(),
    healthcheck: healthcheck.optional(),
    deploy: deploy.optional(),
    restart: z
      .enum(["no", "always", "on-failure", "unless-stopped"])
      .or(z.string().regex(/^on-failure:\d+$/))
      .optional(),
    profiles: z.array(z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/)).optional(),
    stop_grace_period: duration.optional(),
    ...Object.fromEntries(OTHER_SERVICE_KEYS.map((k) => [k, z.unknown().optional()])),
  })
  .catchall(z.never())
  .refine((s) => s.image !== undefined || s.build !== undefined, "a service needs image or build");

const named = z.record(
  z.string().regex(/^[a-zA-Z0-9._-]+$/),
  z.union([z.null(), z.record(z.string(), z.unknown())]),
);

/** The top level; `x-*` keys are extensions, anything else unknown is an error. */
export const ComposeFile = z
  .object({
    version: z.string().optional(),
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, "project names are lower-case letters, digits, _ and -")
      .optional(),
    services: z.record(z.string().regex(/^[a-zA-Z0-9._-]+$/), service),
    volumes: named.optional(),
    networks: named.optional(),
    secrets: named.optional(),
    configs: named.optional(),
  })
  .catchall(z.unknown())
  .superRefine((v, ctx) => {
    for (const k of Object.keys(v)) {
      if (
        ![
          "version",
          "name",
          "services",
          "volumes",
          "networks",
          "secrets",
          "configs",
          "include",
          "models",
        ].includes(k) &&
        !k.startsWith("x-")
      ) {
        ctx.addIssue({ code: "custom", path: [k], message: "unknown top-level key" });
      }
    }
  });

export type ComposeFile = z.infer<typeof ComposeFile>;

/**
 * Compose's variable interpolation (`$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `$$` for a literal `$`), applied to every string of the parsed file.
 */
export function interpolate(value: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof value === "string") {
    return value.replace(
      /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
      (m, _all, name, op, arg, bare) => {
        if (m === "$$") return "$";
        const key = name ?? bare;
        const v = env[key];
        if (op === ":-") return v ? v : arg;
        if (op === "-") return v !== undefined ? v : arg;
        if (op === ":?" || op === "?") {
          if (v === undefined || (op === ":?" && v === ""))
            throw new Error(`required variable ${key}: ${arg}`);
          return v;
        }
        return v ?? "";
      },
    );
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  }
  return value;
}
