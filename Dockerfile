# One image for every role: `docker run IMAGE gateway`, `… worker point|hotel|mypage`,
# `… migrate`; with no argument it runs everything in one process (the embedded mode).
#
# Build stage: the toolchain and the dependency cache, none of which reaches the final image.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY core core
COPY workers workers
COPY bot bot
COPY loadgen loadgen
COPY locales locales
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p resortbot \
    && cp target/release/resortbot /resortbot

# Final stage: the binary, CA certificates for the chat platforms' HTTPS APIs, a non-root user.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 resortbot \
    && useradd --system --uid 10001 --gid resortbot --home-dir /nonexistent --shell /usr/sbin/nologin resortbot
COPY --from=build /resortbot /usr/local/bin/resortbot
USER 10001:10001
ENV HTTP_ADDR=0.0.0.0:8080 LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/resortbot"]
