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
ENV NODE_ENV=production \
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
