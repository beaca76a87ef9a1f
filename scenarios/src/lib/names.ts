/**
 * Name pools. The main corpus and the held-out set draw from different business domains and
 * naming conventions, so that nothing tuned on one set's names carries over to the other.
 */
import type { Lang } from "./applog.js";
import type { LabelKey } from "./k8s.js";
import type { Rng } from "./rng.js";

export interface Profile {
  id: "main" | "holdout";
  domains: Record<string, string[]>;
  /** Namespace suffix convention ("" or "-prod" ...). */
  nsSuffix: string[];
  labelKeys: LabelKey[];
  langs: Lang[];
  dbNames: { postgres: string[]; redis: string[]; mysql: string[]; kafka: string[]; mongo: string[] };
}

export const MAIN: Profile = {
  id: "main",
  domains: {
    shop: [
      "cart",
      "checkout",
      "frontend",
      "catalog",
      "product-api",
      "recommendations",
      "storefront",
      "wishlist",
    ],
    payments: ["payment-api", "fraud-check", "ledger", "payouts", "refund-worker", "card-vault"],
    orders: ["orders-api", "order-events", "fulfillment", "invoice-worker", "returns-api"],
    identity: ["auth", "user-service", "session-api", "token-service", "profile-api"],
    search: ["search-api", "indexer", "query-suggest", "ranking"],
    notifications: ["email-sender", "push-gateway", "sms-worker", "notification-api"],
    inventory: ["inventory-api", "stock-sync", "warehouse-api", "reservation"],
    platform: ["api-gateway", "feature-flags", "config-service", "rate-limiter"],
    shipping: ["shipping-api", "label-service", "tracking-sync", "carrier-adapter"],
    analytics: ["event-collector", "report-builder", "etl-worker", "clickstream"],
  },
  nsSuffix: ["", "", "", "-prod"],
  labelKeys: ["app", "app", "app.kubernetes.io/name"],
  langs: ["go", "go", "java", "node", "python", "gologrus"],
  dbNames: {
    postgres: ["postgres", "orders-db", "postgresql", "pg-main"],
    redis: ["redis-master", "redis", "cache-redis"],
    mysql: ["mysql", "mariadb", "catalog-db"],
    kafka: ["kafka", "kafka-broker"],
    mongo: ["mongodb", "mongo"],
  },
};

export const HOLDOUT: Profile = {
  id: "holdout",
  domains: {
    streaming: ["playback-api", "manifest-svc", "transcoder", "drm-license", "bitrate-ladder"],
    content: ["content-api", "thumbnailer", "metadata-ingest", "subtitle-svc"],
    ledger: ["ledger-writer", "balance-api", "reconciler", "posting-engine"],
    risk: ["risk-scorer", "kyc-verifier", "sanctions-screen", "velocity-checker"],
    fleet: ["route-planner", "eta-service", "dispatch-api", "driver-app-bff"],
    telemetry: ["telematics-ingest", "geo-index", "trip-store", "sensor-decoder"],
    "billing-core": ["invoice-renderer", "usage-meter", "tax-calc", "dunning"],
    edge: ["edge-proxy", "geo-router", "waf-sync", "cdn-purger"],
  },
  nsSuffix: ["-prod", "-prd", "", "-live"],
  labelKeys: ["app.kubernetes.io/name", "app.kubernetes.io/name", "app", "k8s-app"],
  langs: ["go", "java", "java", "node", "python", "gologrus"],
  dbNames: {
    postgres: ["ledger-db", "pg-cluster", "timescale"],
    redis: ["valkey", "redis-sentinel", "session-cache"],
    mysql: ["vitess-tablet", "percona", "tidb"],
    kafka: ["redpanda", "kafka-cluster"],
    mongo: ["mongo-rs", "documentdb"],
  },
};

/** Allocates unique names within one scenario. */
export class Names {
  private readonly usedApps = new Set<string>();
  private readonly usedNs = new Map<string, string>();
  constructor(
    readonly rng: Rng,
    readonly profile: Profile,
  ) {}

  /** A namespace for a domain (or a random unused domain). Returns [namespace, domain]. */
  ns(domain?: string): [string, string] {
    const domains = Object.keys(this.profile.domains);
    const free = domains.filter((x) => !this.usedNs.has(x));
    const d = domain ?? this.rng.pick(free.length > 0 ? free : domains);
    if (!this.usedNs.has(d)) this.usedNs.set(d, `${d}${this.rng.pick(this.profile.nsSuffix)}`);
    return [this.usedNs.get(d)!, d];
  }

  /** An unused app name from the domain (or any domain). */
  app(domain?: string): string {
    const pool = domain ? this.profile.domains[domain]! : Object.values(this.profile.domains).flat();
    const free = pool.filter((a) => !this.usedApps.has(a));
    const a = free.length > 0 ? this.rng.pick(free) : `${this.rng.pick(pool)}-${this.rng.int(2, 9)}`;
    this.usedApps.add(a);
    return a;
  }

  /** Reserve a fixed name (e.g. a database). */
  take(name: string): string {
    let n = name;
    let i = 2;
    while (this.usedApps.has(n)) n = `${name}-${i++}`;
    this.usedApps.add(n);
    return n;
  }

  db(kind: keyof Profile["dbNames"]): string {
    return this.take(this.rng.pick(this.profile.dbNames[kind]));
  }

  isUsedNs(d: string): boolean {
    return this.usedNs.has(d);
  }

  labelKey(): LabelKey {
    return this.rng.pick(this.profile.labelKeys);
  }

  lang(): Lang {
    return this.rng.pick(this.profile.langs);
  }
}
