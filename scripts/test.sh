#!/usr/bin/env bash
# Runs every Seatwarden test, installing what the tests need first.
#
#   bash scripts/test.sh
#
# Steps: formatting, clippy, the Rust test suites, the JNI bridge under a real
# JVM (JUnit with -Xcheck:jni), the admin UI in headless Chromium against a
# real `seatwarden serve --demo`, schemathesis against the API of a real
# `seatwarden serve --demo`, and bounded fuzzing runs of the CSV parser
# and the snapshot readers.
# Each step prints its duration; the run stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

step() {
  local name=$1; shift
  log "$name"
  local started=$SECONDS
  "$@"
  printf '    (%s: %ds)\n' "$name" $((SECONDS - started)) >&2
}

ensure_rust
ensure_smtp_server

step "cargo fmt --check" cargo fmt --all --check
step "cargo clippy" cargo clippy --workspace --all-targets --locked -- -D warnings
step "cargo test" cargo test --workspace --locked

if [ -f pom.xml ]; then
  ensure_java
  ensure_platform8_jdk
  ensure_native_toolchain
  step "JUnit against the native library (both jars)" mvn -B -ntp verify
fi

if [ -f scripts/schemathesis.sh ]; then
  ensure_schemathesis
  command -v curl >/dev/null || apt_install curl
  step "build the server for the API fuzzing" cargo build --locked -p seatwarden-cli
  step "schemathesis: every API operation against serve --demo" bash scripts/schemathesis.sh
fi

if [ -f ui/package.json ]; then
  ensure_browser
  step "build the server for the browser tests" cargo build --locked -p seatwarden-cli
  step "build the admin UI" bash -c 'cd ui && npm ci --no-audit --no-fund && npm run build'
  step "browser tests (Chromium)" \
    env SEATWARDEN_BIN="$(realpath "${CARGO_TARGET_DIR:-target}")/debug/seatwarden" npm --prefix ui test
fi

if [ -d fuzz ]; then
  ensure_fuzz
  for target in $(cargo +nightly fuzz list); do
    step "fuzz $target (60 s)" \
      cargo +nightly fuzz run "$target" -- -max_total_time=60 -rss_limit_mb=2048
  done
fi

log "all tests passed"
