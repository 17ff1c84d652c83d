# dispatchd: multi-stage build of one static binary on a minimal image.
#   docker build -t cc112/dispatchd .
#
# Base images are pinned by tag (what they are) and digest (exactly which
# build). The digests were taken from public Dockerfiles pinning the same
# tags, not checked against the registries from here (no Docker engine or
# registry access on our machines): before a release, refresh them with
#   docker buildx imagetools inspect node:22-bookworm-slim   (and the others)
# and commit the change.

# The console's front-end packages (Leaflet, uPlot), which the binary
# embeds: without this stage the image's map is a 404.
FROM node:22-bookworm-slim@sha256:43ac6c60b8f89723f746e8a92ce91abd5017e627ce1ddfe4238355d3a30b772c AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error
COPY web/build.mjs ./
RUN node build.mjs

FROM golang:1.26-bookworm@sha256:9fdc884aacc3bec89b20ffc69f4bb369c78210e3e4f600387b5128b12c199f81 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/ui/static/vendor ./ui/static/vendor
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/dispatchd ./cmd/dispatchd \
    && mkdir -p /out/state

FROM gcr.io/distroless/static-debian12:nonroot@sha256:d093aa3e30dbadd3efe1310db061a14da60299baff8450a17fe0ccc514a16639
COPY --from=build /out/dispatchd /dispatchd
# The embedded journal (without DATABASE_URL) lives here. The image has no
# shell to chown at start, so the folder is created owned by nonroot
# (65532); a new named volume copies that ownership.
COPY --from=build --chown=65532:65532 /out/state /state
VOLUME /state
ENV DISPATCH_ADDR=0.0.0.0:8080 DISPATCH_STATE=/state
EXPOSE 8080
USER nonroot
ENTRYPOINT ["/dispatchd"]
