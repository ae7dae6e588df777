# The tierguard image: the GitHub App (`tierguard app`, the default command) and the whole CLI.
#
#   docker build -t ghcr.io/<owner>/tierguard:<version> .      (at the repository root)
#   docker run --rm -p 3000:3000 --env-file .env ghcr.io/<owner>/tierguard:<version>
#   docker run --rm ghcr.io/<owner>/tierguard:<version> validate --help
#
# The build stage runs the same steps as a clone (README, "Install"): `npm ci`, then `npm run build`. The runtime
# stage holds the production dependencies, dist/ and app.yml (the manifest the setup page registers the App from),
# and runs as a non-root user; deploy/app/deployment.yaml adds a read-only root filesystem (only /tmp is written).
# test/github/app/dockerfile.test.ts checks this file (no Docker engine runs in the tests).

FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
# git: the CLI's `review` and `log` read revisions with it (the App itself reads them through the API).
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY app.yml LICENSE ./
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
USER 10001:10001
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD ["node", "-e", "fetch('http://127.0.0.1:3000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/dist/cli/bin.js"]
CMD ["app"]
