#!/usr/bin/env bash
# Load benchmark: measures a Bursa endpoint on PostgreSQL against the bare actix-web + diesel
# reference in ../shared/bench (same machine, same run) and prints the throughput ratio.
#
#   benches/load.sh get-event      # GET /api/v1/events/{id} with a valid token (target: >= 0.60)
#
# Needs a local PostgreSQL (BENCH_DATABASE_URL, default postgres:///bursa_bench, recreated),
# wrk (apt-get install wrk) and the shared/ folder beside the project (SHARED_DIR).
# ROUNDS, DURATION, CONNECTIONS and THREADS are passed on to compare.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED_DIR:-$root/../shared}
scenario=${1:-get-event}
db_url=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bursa_bench}
port=${BENCH_PORT:-18090}
base=http://127.0.0.1:$port
command -v wrk >/dev/null || { echo "load.sh: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
[[ -x $shared/bench/compare.sh ]] || { echo "load.sh: no $shared/bench/compare.sh (set SHARED_DIR)" >&2; exit 2; }

psql "${db_url%/*}/postgres" -qc "DROP DATABASE IF EXISTS ${db_url##*/} WITH (FORCE)"
psql "${db_url%/*}/postgres" -qc "CREATE DATABASE ${db_url##*/}"

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
export DATABASE_URL=$db_url BURSA_ADDR=127.0.0.1:$port RUST_LOG=${RUST_LOG:-warn}
export BURSA_JWT_SECRET=${BURSA_JWT_SECRET:-bench-secret-bench-secret-bench-secret!}
"$root/target/release/bursa" &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 100); do curl -fs "$base/readyz" >/dev/null && break; sleep 0.1; done

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
post() { curl -fsS -X POST "$base$1" -H 'Content-Type: application/json' ${3:+-H "Authorization: Bearer $3"} -d "$2"; }
post /api/v1/auth/register '{"email":"bench@bursa.test","password":"bench-password","full_name":"Bench","role":"organizer"}' >/dev/null
token=$(post /api/v1/auth/login '{"email":"bench@bursa.test","password":"bench-password"}' | json '["access_token"]')
org=$(post /api/v1/organizations '{"name":"Bench Office","kind":"organizer","province_code":"31","city":"Jakarta"}' "$token" | json '["id"]')
event=$(post /api/v1/events "{\"organization_id\":\"$org\",\"title\":\"Bench Job Fair\",\"description\":\"A job fair with employers from several sectors.\",\"format\":\"onsite\",\"venue\":\"JCC\",\"province_code\":\"31\",\"city\":\"Jakarta Pusat\",\"starts_at\":\"2027-01-10T08:00:00+07:00\",\"ends_at\":\"2027-01-10T16:00:00+07:00\",\"capacity\":5000,\"budget_idr\":150000000,\"funding_source\":\"apbd\"}" "$token" | json '["id"]')

case $scenario in
  get-event)
    # A draft, so the read also checks the caller's membership: the slower path.
    "$shared/bench/compare.sh" get "$base/api/v1/events/$event" -H "Authorization: Bearer $token"
    ;;
  *) echo "load.sh: unknown scenario $scenario (get-event)" >&2; exit 2 ;;
esac
