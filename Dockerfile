# syntax=docker/dockerfile:1
# kg-rca: one image for every component (api, worker, bridge, watch, start); the command picks it.
#   docker build -t kg-rca .
#   docker run --rm kg-rca --help

FROM node:20-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# `prepare` would build before the sources are here; install first, then run the native installs.
RUN npm ci --ignore-scripts \
 && npm rebuild better-sqlite3 msgpackr-extract esbuild
COPY . .
RUN npm run build \
 && npm prune --omit=dev \
 && npm cache clean --force

FROM node:20-slim
# Memory (bench/README.md, "Memory"): V8 sizes its heap from the machine's memory, not the
# container's limit, and lets garbage pile up to it (1.2 GB RSS uncapped for a `kgrca start` at
# 1M stored events whose live heap is ~100-120 MB), so the heap is capped at 192 MB; new space at
# 8 MB (V8's default is 16), one malloc arena (glibc makes one per thread and keeps what each
# freed; two peaked ~15 MB higher) and an 8 MB SQLite page cache (default 16) take ~70 MB more
# off the resident size: peak RSS 279-291 MB at 1M stored events. For a bigger cluster or a denser
# stream raise the cap (the bench's 200k-event default run, 200 events per simulated second, fits
# 192 MB only because scoring and clustering jobs then run one at a time, KG_MEMORY_PRESSURE_PERCENT:
# 709 events/s; with 512 MB it makes 843 events/s at a peak RSS of 456 MB), e.g.
# `-e NODE_OPTIONS="--max-old-space-size=512 --max-semi-space-size=8"`. Every kgrca process also
# turns V8's allocation-site pretenuring off for itself (cli/v8-tuning.ts: RCA p99 at 1M stored
# events 20-34 -> 8-10 ms); NODE_OPTIONS cannot carry that flag.
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=192 --max-semi-space-size=8" \
    MALLOC_ARENA_MAX=1 \
    KG_SQLITE_CACHE_MB=8 \
    KG_DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# 8080 API; 9464-9466 /metrics of worker, bridge, watcher (by convention of docker-compose.yml)
EXPOSE 8080 9464 9465 9466
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["start"]
