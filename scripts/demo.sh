#!/usr/bin/env bash
# Builds Seatwarden (the `seatwarden` command and the admin UI) and starts the
# standalone server on a demo organisation: prints the URL and a one-time
# admin token. Stop it with Ctrl-C.
#
#   bash scripts/demo.sh                 # 5,000 users, port 2990
#   USERS=20000 PORT=3000 bash scripts/demo.sh
#
# The data (store.db, directory.db) lives in target/demo/data and is seeded
# on the first start only: delete that folder to start over.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_rust

users="${USERS:-5000}"
port="${PORT:-2990}"
data="${DATA:-target/demo/data}"

log "building seatwarden (release)"
cargo build --release --locked -p seatwarden-cli
bin=target/release/seatwarden

if [ -f ui/package.json ]; then
  command -v npm >/dev/null || apt_install nodejs npm
  log "building the admin UI into ui/dist"
  (cd ui && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build)
fi

mkdir -p "$data"
log "starting seatwarden serve --demo ($users users) on 127.0.0.1:$port; Ctrl-C stops it"
exec "$bin" serve --demo --users "$users" --port "$port" --data "$data" --ui-dir ui/dist
