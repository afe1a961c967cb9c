#!/usr/bin/env bash
# Property-based API testing: starts `target/debug/candor serve` on a fresh SQLite data
# directory and a free port, signs in as a new admin, and runs schemathesis (v4) against the
# OpenAPI document with the admin's token, checking for server errors and responses that do
# not match the documented schema. Stops the server however it ends.
#
#   scripts/schemathesis.sh [MAX_EXAMPLES] [MAX_SECONDS]   (defaults: 20 examples, 240 s)
#
# Needs `pip install schemathesis` (4.x) and a built binary (`cargo build`).
set -euo pipefail

max_examples=${1:-20}
max_seconds=${2:-240}
root=$(cd "$(dirname "$0")/.." && pwd)
candor="$root/target/debug/candor"
[[ -x $candor ]] || { echo "build first: cargo build" >&2; exit 2; }
command -v schemathesis >/dev/null || { echo "pip install schemathesis" >&2; exit 2; }

work=$(mktemp -d)
server=""
cleanup() {
    [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export CANDOR_DATA_DIR="$work/data" CANDOR_ADDR="127.0.0.1:$port"
export CANDOR_JWT_SECRET="schemathesis-only-secret-0123456789abcdef"
unset CANDOR_DATABASE_URL CANDOR_ENV
mkdir -p "$CANDOR_DATA_DIR"
cd "$work"

password="schemathesis-Passw0rd-$RANDOM$RANDOM"
"$candor" migrate >/dev/null
printf '%s\n' "$password" | "$candor" user add --email admin@example.com \
    --role admin --role responder --role cx_lead >/dev/null
"$candor" serve >"$work/server.log" 2>&1 &
server=$!

base="http://127.0.0.1:$port"
for _ in $(seq 100); do
    curl -fsS "$base/api/v1/openapi.json" -o /dev/null 2>/dev/null && break
    sleep 0.2
done
token=$(curl -fsS "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"admin@example.com\",\"password\":\"$password\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# Logging out would revoke the token the rest of the run uses, and changing a user could take
# the signed-in admin's own roles away (every later call would be a 403 and test nothing), so
# the main run leaves both out and a second, short run takes the user change alone, last.
# The coverage phase is left out: in schemathesis 4.32.5 on Python 3.11 it dies inside
# hypothesis (an AST recursion error).
status=0
schemathesis run "$base/api/v1/openapi.json" \
    -H "Authorization: Bearer $token" \
    --checks not_a_server_error,response_schema_conformance \
    --max-examples "$max_examples" --max-time "$max_seconds" \
    --exclude-path /api/v1/auth/logout --exclude-path '/api/v1/users/{id}' \
    --phases examples,fuzzing,stateful \
    --seed 1 --workers 2 --no-color "${@:3}" || status=$?
if [[ $status -eq 0 ]]; then
    schemathesis run "$base/api/v1/openapi.json" \
        -H "Authorization: Bearer $token" \
        --checks not_a_server_error,response_schema_conformance \
        --max-examples "$max_examples" --max-time 60 \
        --include-path '/api/v1/users/{id}' \
        --phases examples,fuzzing \
        --seed 1 --workers 1 --no-color "${@:3}" || status=$?
fi
if [[ $status -ne 0 ]]; then
    echo "--- server log (last 40 lines) ---" >&2
    tail -n 40 "$work/server.log" >&2
fi
exit $status
