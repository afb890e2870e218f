# Sargs image: the compiled service (dist/) beside the data files it reads at run time (core/migrations,
# Elasticsearch templates, rules/, policies/), production dependencies only, run as an unprivileged user.
# Build: docker build -t sargs .    Run: see docker-compose.yml.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    SARGS_SYSLOG_PORT=5514 \
    SARGS_DATA_DIR=/app/data
WORKDIR /app
RUN groupadd --system sargs \
 && useradd --system --gid sargs --home-dir /app --no-create-home --shell /usr/sbin/nologin sargs
# Code and dependencies stay owned by root (read-only to the service); only the data folder is writable.
COPY --from=build /app /app
RUN mkdir -p /app/data && chown sargs:sargs /app/data
USER sargs
VOLUME ["/app/data"]
EXPOSE 8080/tcp 5514/udp 5514/tcp
# Healthy once the HTTP port accepts connections (no curl in the slim image).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=5 \
  CMD ["node", "-e", "require('net').connect(Number(process.env.PORT||8080),'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))"]
# A 64 MB young generation: batches in flight across the Elasticsearch round trip die young instead of being
# promoted (README, "Performance").
CMD ["node", "--max-semi-space-size=64", "bin/sargs.js", "start"]
