#!/usr/bin/env bash
# Metrics benchmark at national scale: per-event metrics and the national rollup by province,
# on PostgreSQL, one request at a time (p50/p95/p99, warm), against the release build.
#
#   benches/metrics.sh            # targets: per event p95 < 50 ms, rollup by province,month p95 < 150 ms,
#                                 # the dashboard page p95 < 300 ms
#
# BENCH_DATABASE_URL (default postgres:///bursa_seed_national) is seeded with
# `bursa seed --scale national` (about 4 minutes) when it has no events yet; later runs reuse it.
# COUNT (default 200) measured requests per endpoint after WARMUP (default 20).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
db_url=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bursa_seed_national}
port=${BENCH_PORT:-18091}
base=http://127.0.0.1:$port
count=${COUNT:-200}
warmup=${WARMUP:-20}

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
export DATABASE_URL=$db_url BURSA_ADDR=127.0.0.1:$port RUST_LOG=${RUST_LOG:-warn}
export BURSA_JWT_SECRET=${BURSA_JWT_SECRET:-bench-secret-bench-secret-bench-secret!}
export BURSA_NIK_SECRET=${BURSA_NIK_SECRET:-bench-nik-secret-bench-nik-secret-bench!}

if ! psql "$db_url" -qAtc "SELECT 1" >/dev/null 2>&1; then
  psql "${db_url%/*}/postgres" -qc "CREATE DATABASE ${db_url##*/}"
fi
"$root/target/release/bursa" migrate >/dev/null
if [[ $(psql "$db_url" -qAtc "SELECT count(*) FROM events") == 0 ]]; then
  "$root/target/release/bursa" seed --scale national
fi
psql "$db_url" -qc "VACUUM ANALYZE" >/dev/null
psql "$db_url" -qAtc "SELECT 'data: ' || (SELECT count(*) FROM events) || ' events, ' ||
  (SELECT count(*) FROM registrations) || ' registrations, ' || (SELECT count(*) FROM placements) || ' placements'"

"$root/target/release/bursa" &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 100); do curl -fs "$base/readyz" >/dev/null && break; sleep 0.1; done

token=$(curl -fsS -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"email":"ministry@seed.bursa.test","password":"bursa-seed-password"}' \
  | python3 -c "import json,sys; print(json.load(sys.stdin)['access_token'])")
# 100 included events, the largest first (the slowest per-event requests).
mapfile -t events < <(psql "$db_url" -qAtc \
  "SELECT '/api/v1/events/' || id || '/metrics' FROM events WHERE status IN ('published','closed')
   ORDER BY registrations_count DESC, id LIMIT 100")

echo "per-event metrics (100 events, largest first):"
python3 "$root/benches/latency.py" "$base" "$token" "$warmup" "$count" "${events[@]}"
echo "national rollup by province:"
python3 "$root/benches/latency.py" "$base" "$token" "$warmup" "$count" "/api/v1/metrics?group_by=province"
echo "national rollup by month:"
python3 "$root/benches/latency.py" "$base" "$token" "$warmup" "$count" "/api/v1/metrics?group_by=month"
# Issue 14's target: the cross-tab with breakdowns and retention, p95 < 150 ms.
echo "national cross-tab by province and month (target p95 < 150 ms):"
python3 "$root/benches/latency.py" "$base" "$token" "$warmup" "$count" "/api/v1/metrics?group_by=province,month"
echo "the same, every province and month of the period (fill=true):"
python3 "$root/benches/latency.py" "$base" "$token" "$warmup" "$count" \
  "/api/v1/metrics?group_by=province,month&fill=true&from=2025-01-01&to=2026-12-31"

# The dashboard page (issue 14's target: p95 < 300 ms), signed in through the site as ministry
# staff: the whole national view, and one province's.
jar=$(mktemp)
curl -fsS -c "$jar" -o /dev/null "$base/sign-in"
csrf=$(awk '$6 == "bursa_csrf" {print $7}' "$jar")
curl -fsS -b "$jar" -c "$jar" -o /dev/null -X POST "$base/sign-in" \
  --data-urlencode "csrf=$csrf" --data-urlencode "email=ministry@seed.bursa.test" \
  --data-urlencode "password=bursa-seed-password"
session=$(awk '$6 == "bursa_session" {print $7}' "$jar")
rm -f "$jar"
[[ -n $session ]] || { echo "metrics.sh: signing in to the site failed" >&2; exit 1; }
echo "dashboard page, national (target p95 < 300 ms):"
python3 "$root/benches/latency.py" "$base" "cookie:bursa_session=$session" "$warmup" "$count" "/dashboard"
echo "dashboard page, one province:"
python3 "$root/benches/latency.py" "$base" "cookie:bursa_session=$session" "$warmup" "$count" "/dashboard?province=32"
