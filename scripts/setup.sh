#!/usr/bin/env bash
# Installs what Seatwarden's build and tests need on a fresh Debian machine.
# Idempotent: every step checks first and does nothing when the tool is there.
# Sourced by scripts/test.sh and scripts/demo.sh; safe to run on its own.
set -euo pipefail

log() { printf '\n==> %s\n' "$*" >&2; }

apt_updated=""
apt_install() {
  # apt_install PACKAGE... : installs the Debian packages that are missing.
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ -z "$apt_updated" ]; then
    log "apt-get update"
    $sudo apt-get update -qq
    apt_updated=1
  fi
  log "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_rust() {
  command -v cargo >/dev/null || { echo "cargo not found: install Rust with rustup first" >&2; exit 1; }
  rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
}

ensure_java() {
  command -v mvn >/dev/null || apt_install maven
  command -v javac >/dev/null || apt_install openjdk-17-jdk-headless
}

jdk_feature() {
  # jdk_feature DIR : the Java feature release of the JDK in DIR (17, 21, 25, ...), or nothing.
  [ -x "$1/bin/javac" ] && [ -x "$1/bin/java" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

oldest_jdk21() {
  # The oldest installed JDK of release 21 or later under /usr/lib/jvm (closest to the
  # products' Java 21), as "RELEASE DIR", or nothing.
  local dir v
  for dir in /usr/lib/jvm/*/; do
    dir="${dir%/}"
    [ -L "$dir" ] && continue
    v="$(jdk_feature "$dir")"
    [ -n "$v" ] && [ "$v" -ge 21 ] && echo "$v $dir"
  done | sort -n | head -n 1
}

ensure_platform8_jdk() {
  # The Platform 8 jar (Jira 11 / Confluence 10) is Java 21 bytecode: javac and the test JVM of a
  # JDK 21 or later build and test it (`--release 21`), while Maven and the Platform 7 jar stay
  # on JDK 17. Exports the chosen JDK as SEATWARDEN_PLATFORM8_JDK, which the root pom.xml reads.
  # The polyglot machines carry a Temurin 25 beside Debian's OpenJDK 17; where there is none,
  # Debian's OpenJDK 21 is installed if this Debian has it (Debian 13 does, 12 does not).
  local found v
  if [ -n "${SEATWARDEN_PLATFORM8_JDK:-}" ]; then
    v="$(jdk_feature "$SEATWARDEN_PLATFORM8_JDK")"
    [ -n "$v" ] && [ "$v" -ge 21 ] && return 0
    echo "SEATWARDEN_PLATFORM8_JDK=$SEATWARDEN_PLATFORM8_JDK is not a JDK 21 or later" >&2
    exit 1
  fi
  found="$(oldest_jdk21)"
  if [ -z "$found" ] && apt-cache show openjdk-21-jdk-headless >/dev/null 2>&1; then
    apt_install openjdk-21-jdk-headless
    found="$(oldest_jdk21)"
  fi
  if [ -z "$found" ]; then
    echo "no JDK 21 or later under /usr/lib/jvm for the Platform 8 jar:" \
      "install one, or set SEATWARDEN_PLATFORM8_JDK" >&2
    exit 1
  fi
  export SEATWARDEN_PLATFORM8_JDK="${found#* }"
  log "Platform 8 jar: JDK ${found%% *} at $SEATWARDEN_PLATFORM8_JDK"
}

# Pinned so that every machine links the shipped library with the same zig and glibc stubs.
ZIGLANG_VERSION=0.17.1
CARGO_ZIGBUILD_VERSION=0.24.1

ensure_native_toolchain() {
  # The plugin jar carries the native library for linux-x86_64 and linux-aarch64, linked
  # against glibc 2.17 by `cargo zigbuild` (PyPI: ziglang, cargo-zigbuild) so it loads on
  # RHEL 8, Amazon Linux 2, Ubuntu 20.04 and SLES 15 nodes (see docs/plugin.md). The jar
  # check loads the aarch64 library under qemu-aarch64 over Debian's aarch64 C library.
  rustup target list --installed | grep -qx aarch64-unknown-linux-gnu ||
    rustup target add aarch64-unknown-linux-gnu
  apt_install qemu-user libc6-arm64-cross
  if command -v cargo-zigbuild >/dev/null &&
    { command -v zig >/dev/null || python3 -m ziglang version >/dev/null 2>&1; }; then
    return 0
  fi
  # Debian's python refuses `pip install` outside a virtual environment (PEP 668): install
  # into one of our own and put its two commands next to cargo, which is on PATH.
  local venv="${XDG_DATA_HOME:-$HOME/.local/share}/seatwarden/zigbuild"
  if [ ! -x "$venv/bin/pip" ]; then
    python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$venv"; }
  fi
  log "installing ziglang $ZIGLANG_VERSION and cargo-zigbuild $CARGO_ZIGBUILD_VERSION into $venv"
  "$venv/bin/pip" install -q "ziglang==$ZIGLANG_VERSION" "cargo-zigbuild==$CARGO_ZIGBUILD_VERSION"
  local bin
  bin="$(dirname "$(command -v cargo)")"
  ln -sf "$venv/bin/cargo-zigbuild" "$bin/cargo-zigbuild"
  ln -sf "$venv/bin/python-zig" "$bin/zig"
}

ensure_smtp_server() {
  # The mail tests deliver to a real SMTP server on loopback: Debian's aiosmtpd,
  # run with Debian's own /usr/bin/python3 (a pyenv python on PATH cannot see
  # Debian's packages). The STARTTLS test makes its certificates with openssl.
  apt_install python3-aiosmtpd openssl
}

# Pinned so that every machine fuzzes the API with the same generator.
SCHEMATHESIS_VERSION=4.32.5

ensure_schemathesis() {
  # scripts/schemathesis.sh fuzzes the HTTP API from its OpenAPI document (PyPI: schemathesis),
  # installed into a virtual environment of our own (Debian's python refuses `pip install`
  # outside one, PEP 668); the script finds it there (or at SEATWARDEN_SCHEMATHESIS).
  local venv="${XDG_DATA_HOME:-$HOME/.local/share}/seatwarden/schemathesis"
  if [ -x "$venv/bin/schemathesis" ] &&
    "$venv/bin/pip" show schemathesis 2>/dev/null | grep -qx "Version: $SCHEMATHESIS_VERSION"; then
    return 0
  fi
  if [ ! -x "$venv/bin/pip" ]; then
    python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$venv"; }
  fi
  log "installing schemathesis $SCHEMATHESIS_VERSION into $venv"
  "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
}

ensure_fuzz() {
  # cargo-fuzz needs a nightly toolchain (libFuzzer instrumentation).
  # A toolchain whose download was cut short is listed but has no rustc: check
  # that it runs, and reinstall it when it does not.
  rustup run nightly rustc --version >/dev/null 2>&1 ||
    rustup toolchain install nightly --profile minimal --force
  command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
}

ensure_browser() {
  # The UI's browser tests drive Debian's Chromium through playwright-core;
  # Playwright's own browser download cannot work on a closed network.
  command -v npm >/dev/null || apt_install nodejs npm
  [ -x /usr/bin/chromium ] || apt_install chromium
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  ensure_rust
  ensure_java
  ensure_platform8_jdk
  ensure_native_toolchain
  ensure_smtp_server
  ensure_schemathesis
fi
