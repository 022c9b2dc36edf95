# syntax=docker/dockerfile:1
#
# scalesim as a small container image: a static binary (no cgo) on
# distroless/static, running as the non-root user 65532.
#
#   docker build -t scalesim:dev --build-arg VERSION=$(git describe --always --dirty) .
#   docker run --rm -v "$PWD/out:/results" scalesim:dev sweep minimal \
#       --set services.web.autoscaler.target_utilization=50,60,70 --seeds 5 -o /results/demo
#
# The Kubernetes and Slurm recipes in deploy/ run this image (docs/sweeps.md).

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src
# The module cache is its own layer: source edits do not download again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -buildvcs=false \
        -ldflags "-s -w -X main.version=${VERSION}" \
        -o /out/scalesim ./cmd/scalesim \
    && /out/scalesim version

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/scalesim /usr/local/bin/scalesim
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/scalesim"]
CMD ["--help"]
