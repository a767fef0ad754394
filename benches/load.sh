#!/usr/bin/env bash
# Load benchmark: measures a Bursa endpoint on PostgreSQL against the bare actix-web + diesel
# reference in ../shared/bench (same machine, same run) and prints the throughput ratio.
#
#   benches/load.sh get-event      # GET /api/v1/events/{id} with a valid token (target: >= 0.60)
#   benches/load.sh check-in       # POST /api/v1/events/{id}/check-ins, the door scan (>= 0.50)
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
export BURSA_NIK_SECRET=${BURSA_NIK_SECRET:-bench-nik-secret-bench-nik-secret-bench!}
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
  check-in)
    # A running fair with one registered job seeker, scanned again and again: after the first
    # scan every request is the repeated scan of a queue at the door, as the reference's update
    # of an already checked-in row is.
    start=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ) end=$(date -u -d '+8 hours' +%Y-%m-%dT%H:%M:%SZ)
    fair=$(post /api/v1/events "{\"organization_id\":\"$org\",\"title\":\"Bench Fair Day\",\"description\":\"Check-in at the door.\",\"format\":\"onsite\",\"venue\":\"JCC\",\"province_code\":\"31\",\"city\":\"Jakarta Pusat\",\"starts_at\":\"$start\",\"ends_at\":\"$end\",\"capacity\":5000,\"budget_idr\":150000000,\"funding_source\":\"apbd\"}" "$token" | json '["id"]')
    post "/api/v1/events/$fair/publish" '{}' "$token" >/dev/null
    post /api/v1/auth/register '{"email":"seeker@bursa.test","password":"bench-password","full_name":"Seeker","role":"job_seeker"}' >/dev/null
    seeker=$(post /api/v1/auth/login '{"email":"seeker@bursa.test","password":"bench-password"}' | json '["access_token"]')
    post /api/v1/job-seekers '{"full_name":"Siti Rahayu","nik":"3174015508950002","birth_date":"1995-08-15","gender":"female","education_level":"smk","province_code":"31","city":"Jakarta Timur","disability":false,"consent":true}' "$seeker" >/dev/null
    code=$(post "/api/v1/events/$fair/registrations" '{}' "$seeker" | json '["check_in_code"]')
    "$shared/bench/compare.sh" checkin "$base/api/v1/events/$fair/check-ins" \
      -H "Authorization: Bearer $token" -b "{\"check_in_code\":\"$code\"}"
    ;;
  get-event)
    # A draft, so the read also checks the caller's membership: the slower path.
    "$shared/bench/compare.sh" get "$base/api/v1/events/$event" -H "Authorization: Bearer $token"
    ;;
  *) echo "load.sh: unknown scenario $scenario (get-event, check-in)" >&2; exit 2 ;;
esac
