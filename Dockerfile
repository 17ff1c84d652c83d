# dispatchd: multi-stage build of one static binary on a minimal image.
#   docker build -t cc112/dispatchd .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/dispatchd ./cmd/dispatchd

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/dispatchd /dispatchd
# The embedded journal (without DATABASE_URL) lives here.
VOLUME /state
ENV DISPATCH_ADDR=0.0.0.0:8080 DISPATCH_STATE=/state
EXPOSE 8080
USER nonroot
ENTRYPOINT ["/dispatchd"]
