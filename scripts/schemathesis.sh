#!/usr/bin/env bash
# Fuzzes the HTTP API from its OpenAPI document with schemathesis (issue 18):
# starts `seatwarden serve --demo` on a free loopback port with a fresh data
# folder, signs in with the admin token it prints (cookie + XSRF header), and
# runs every operation of /api/openapi.json, failing on any 5xx, an answer
# that does not match its schema, a status or content type the document does
# not list, or a valid request refused.
#
#   bash scripts/schemathesis.sh [path/to/seatwarden]
#
# Bounded and repeatable: a fixed number of examples per operation, a fixed
# seed and deterministic generation, one worker (a 2-core machine shares it
# with the server). Destructive operations are in scope: the server is a
# throwaway demo and its folder is removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:-"$(realpath "${CARGO_TARGET_DIR:-target}")/debug/seatwarden"}
st=${SEATWARDEN_SCHEMATHESIS:-"${XDG_DATA_HOME:-$HOME/.local/share}/seatwarden/schemathesis/bin/schemathesis"}
examples=${SCHEMATHESIS_EXAMPLES:-50}

data=$(mktemp -d)
work=$(mktemp -d)
out=$(mktemp)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$data" "$work" "$out"
}
trap cleanup EXIT

"$bin" serve --demo --users 400 --port 0 --data "$data" --tick-seconds 3600 >"$out" 2>&1 &
server=$!
url="" token=""
for _ in $(seq 1 600); do
  url=$(sed -n 's/.*running at \(http:\/\/[^ ]*\).*/\1/p' "$out" | head -n 1)
  token=$(sed -n 's/.*Admin token: \([0-9a-f]*\).*/\1/p' "$out" | head -n 1)
  [ -n "$url" ] && [ -n "$token" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$out" >&2; echo "the server exited" >&2; exit 1; }
  sleep 0.2
done
[ -n "$url" ] && [ -n "$token" ] || { cat "$out" >&2; echo "the server did not start" >&2; exit 1; }
url=${url%/}
port=${url##*:}

# Sign in: the cookie comes back in Set-Cookie, the XSRF token in the body.
signin=$(curl -sS -D - -H 'Content-Type: application/json' -d "{\"token\":\"$token\"}" "$url/session")
cookie=$(printf '%s\n' "$signin" | sed -n "s/^[Ss]et-[Cc]ookie: \(seatwarden_session_${port}=[0-9a-zA-Z]*\).*/\1/p" | head -n 1)
xsrf=$(printf '%s\n' "$signin" | sed -n 's/.*"xsrfToken":"\([0-9a-f]*\)".*/\1/p' | head -n 1)
[ -n "$cookie" ] && [ -n "$xsrf" ] || { echo "sign-in failed: $signin" >&2; exit 1; }

# Checked: no 5xx, every answer as documented (status, content type, body
# schema), and valid requests accepted (positive_data_acceptance): a request
# the document calls valid may be answered 2xx, 401/403, 404 (a generated id
# names nothing), 409 (a stale configVersion), 410 (a plan id that was kept
# once and has been confirmed or expired) or 429, never 400/422. Query and
# path parameters are typed exactly (enums, comma lists, id ranges, cursor
# and month patterns, required configVersion); the bodies carry their
# one-of rules (tests/request_schemas.rs keeps them honest).
#
# Where a rule cannot be written as a JSON schema, the operation keeps its
# other checks and only "valid data accepted" also counts 400 and 422 as an
# expected answer (schemathesis 4 turns checks on for the whole run, so the
# exception is its expected statuses), each with its reason:
#   listUsers, exportUsers, planBulk, grantExemptions, revokeExemptions:
#       `filter` is a Users-tab query (core query::Query, a small language
#       in JSON: field names, operators and value types that depend on the
#       field); a random object is rarely one.
#   pickUsers, pickGroups: `q` (search) and `key`/`name` (resolve) exclude
#       each other; OpenAPI parameters cannot say "not both".
#   createTemplate, replaceTemplate, previewTemplate: the placeholders a
#       subject or body may use depend on the template's kind, and `bcc`
#       entries are checked as mail addresses by the mail crate.
#   testTemplate: `to` is checked as a mail address by the mail crate (its
#       rules are lettre's, not JSON Schema's `email` format).
#   replaceMailSettings: `from` is a mailbox (`Name <addr@host>`) parsed by
#       lettre; TLS and loopback rules tie host, security and username.
#   validateImport, importGroups: the body is a CSV file (header names,
#       per-column values).
#   createGroups: each `;`-separated name is checked by the directory's
#       naming rules (control and bidi characters, length per directory).
#   replaceCloudConnection, testCloudConnection: the organization id, site
#       URL and e-mail are checked against Atlassian's formats.
#   setRetention: lowering the retention needs `confirmDays` equal to the
#       new days, which depends on the stored value.
# Fuzzing POST /session used to sign the run out: the coverage phase sends
# every undeclared method to each path ("unexpected methods"), and
# `DELETE /session` with the run's cookie and XSRF header is a real sign-out
# (the server was right; the harness sent it). The sign-in is in the run now
# with DELETE left out of its unexpected methods; wrong tokens there are
# answered 401, then 429 once the failure limit trips, which touches only
# sign-ins, never the run's session (serve_sign_in tests both).
# The chaining checks and stateful phase (use_after_free,
# ensure_resource_availability) multiply the run time for little on this API.
# Run from a throwaway folder: schemathesis leaves its cache (.schemathesis/)
# in the working directory.
cd "$work"
cat >schemathesis.toml <<'TOML'
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "410", "429", "5xx"]

[[operations]]
include-path = "/session"
phases.coverage.unexpected-methods = ["get", "put", "patch", "options", "trace"]

[[operations]]
include-operation-id-regex = "^(listUsers|exportUsers|planBulk|grantExemptions|revokeExemptions|pickUsers|pickGroups|createTemplate|replaceTemplate|previewTemplate|testTemplate|replaceMailSettings|validateImport|importGroups|createGroups|replaceCloudConnection|testCloudConnection|setRetention)$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "410", "422", "429", "5xx"]
TOML
"$st" --config-file schemathesis.toml run "$url/api/openapi.json" \
  --url "$url" \
  -H "Cookie: $cookie" -H "X-Seatwarden-XSRF: $xsrf" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,positive_data_acceptance \
  --phases examples,coverage,fuzzing \
  --max-examples "$examples" --seed 18 --generation-deterministic \
  --workers 1 --request-timeout 60 \
  --suppress-health-check all --no-color
