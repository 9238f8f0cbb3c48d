# kzero's images for real clusters (the local cluster runs the same code as host processes):
#   docker build --target kzero -t kzero.dev/kzero:0.1.0 .               controller, webhook, autoscaler, activator
#   docker build --target runtime-node -t kzero.dev/runtime-node:0.1.0 . the warm runtime pool pods run
# Push them to your registry and point manifests/components (and your PodPools) at it.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY api api
COPY activator activator
COPY autoscaler autoscaler
COPY cli cli
COPY controller controller
COPY runtime runtime
COPY local local
COPY lib lib
COPY e2e e2e
COPY bench bench
RUN npx tsc -p tsconfig.json && npm prune --omit=dev

FROM node:20-bookworm-slim AS base
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/dist dist
USER 65532:65532

FROM base AS runtime-node
ENV PORT=8080 KZERO_ADMIN_PORT=8079
ENTRYPOINT ["node", "/app/dist/runtime/main.js"]

FROM base AS kzero
WORKDIR /app/dist
ENTRYPOINT ["node"]
