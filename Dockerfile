# The operator's image, for people with a container engine:
#   docker build -t rightsizer:0.1.0 .
# Without one, hack/image builds the same kind of image (an OCI layout) with
# umoci from an existing build.
FROM debian:bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      g++ cmake ninja-build pkg-config libboost1.81-dev libssl-dev libyaml-cpp-dev \
      nlohmann-json3-dev libspdlog-dev libhowardhinnant-date-dev libcli11-dev \
      libgtest-dev libgmock-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DRIGHTSIZER_BUILD_BENCH=OFF \
    && ninja -C /build rightsizer \
    && /build/bin/rightsizer version

FROM debian:bookworm-slim
# Runtime libraries of the binary, CA certificates for the apiserver and
# Prometheus, and tzdata for blackout windows in local time.
RUN apt-get update && apt-get install -y --no-install-recommends \
      libyaml-cpp0.7 libdate-tz3 libspdlog1.10 libssl3 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/bin/rightsizer /usr/local/bin/rightsizer
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/rightsizer"]
CMD ["run"]
