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

ensure_smtp_server() {
  # The mail tests deliver to a real SMTP server on loopback: Debian's aiosmtpd,
  # run with Debian's own /usr/bin/python3 (a pyenv python on PATH cannot see
  # Debian's packages). The STARTTLS test makes its certificates with openssl.
  apt_install python3-aiosmtpd openssl
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
  ensure_smtp_server
fi
