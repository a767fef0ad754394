#!/usr/bin/env bash
# Write-path benchmarks of issue 15 on PostgreSQL, each beside the bare actix-web + diesel
# reference of ../shared/bench measured in the same run (rounds alternate: reference, Bursa, ...;
# medians compared), printing the ratio and its target:
#
#   benches/door.sh spread         # first check-ins spread over 20 fairs, vs the single-row update (>= 0.40)
#   benches/door.sh one            # first check-ins at one fair, vs the single-row update (>= 0.25)
#   benches/door.sh registrations  # registrations at a fair holding 200,000, vs at an empty fair (>= 0.80)
#   benches/door.sh get-event      # authenticated GET /api/v1/events/{id}, vs the primary-key read (>= 0.80)
#
# Every first check-in is a different ticket, as at a real door: the registrations are made in
# bulk by SQL beforehand, enough that no round runs out. Needs wrk, a local PostgreSQL
# (BENCH_DATABASE_URL, default postgres:///bursa_bench_door, recreated) and ../shared (SHARED_DIR).
# ROUNDS (3), DURATION (10 s), CONNECTIONS (50), THREADS (2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED_DIR:-$root/../shared}
scenario=${1:?usage: benches/door.sh spread|one|registrations|get-event}
db_url=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bursa_bench_door}
ref_db=${REF_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bursa_bench_ref}
port=${BENCH_PORT:-18092}
base=http://127.0.0.1:$port
rounds=${ROUNDS:-3} duration=${DURATION:-10} conns=${CONNECTIONS:-50} threads=${THREADS:-2}
command -v wrk >/dev/null || { echo "door.sh: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
[[ -d $shared/bench/reference ]] || { echo "door.sh: no $shared/bench/reference (set SHARED_DIR)" >&2; exit 2; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# --- the two servers --------------------------------------------------------------------------
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bursa=${CARGO_TARGET_DIR:-$root/target}/release/bursa
ref_target=${REF_TARGET_DIR:-/tmp/bursa-bench-reference}
CARGO_TARGET_DIR=$ref_target cargo build --release --quiet --manifest-path "$shared/bench/reference/Cargo.toml"
for url in "$db_url" "$ref_db"; do
  psql "${url%/*}/postgres" -qc "DROP DATABASE IF EXISTS ${url##*/} WITH (FORCE)"
  psql "${url%/*}/postgres" -qc "CREATE DATABASE ${url##*/}"
done
DATABASE_URL=$ref_db "$ref_target/release/bench-reference" seed 10000 >"$work/ref-ids"
ref_id=$(sed -n 5000p "$work/ref-ids")
DATABASE_URL=$ref_db BIND=127.0.0.1:18080 "$ref_target/release/bench-reference" &
pids+=($!)

export DATABASE_URL=$db_url BURSA_ADDR=127.0.0.1:$port RUST_LOG=${RUST_LOG:-warn}
export BURSA_JWT_SECRET=${BURSA_JWT_SECRET:-bench-secret-bench-secret-bench-secret!}
export BURSA_NIK_SECRET=${BURSA_NIK_SECRET:-bench-nik-secret-bench-nik-secret-bench!}
export BURSA_PUBLIC_REQUESTS_PER_MINUTE=1000000
"$bursa" migrate >/dev/null
"$bursa" &
pids+=($!)
for _ in $(seq 100); do curl -fs "$base/readyz" >/dev/null && curl -fs "http://127.0.0.1:18080/ref/$ref_id" >/dev/null && break; sleep 0.1; done

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
post() { curl -fsS -X POST "$base$1" -H 'Content-Type: application/json' ${3:+-H "Authorization: Bearer $3"} -d "$2"; }
sql() { psql "$db_url" -qAtc "$1"; }
post /api/v1/auth/register '{"email":"bench@bursa.test","password":"bench-password","full_name":"Bench","role":"organizer"}' >/dev/null
token=$(post /api/v1/auth/login '{"email":"bench@bursa.test","password":"bench-password"}' | json '["access_token"]')
org=$(post /api/v1/organizations '{"name":"Bench Office","kind":"organizer","province_code":"31","city":"Jakarta"}' "$token" | json '["id"]')
sql "UPDATE organizations SET verified_at = now() WHERE id = '$org'"
user=$(sql "SELECT id FROM users WHERE email = 'bench@bursa.test'")
start=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ) end=$(date -u -d '+8 hours' +%Y-%m-%dT%H:%M:%SZ)
fair() { # a running, published fair: its id
  local id
  id=$(post /api/v1/events "{\"organization_id\":\"$org\",\"title\":\"Bench Fair $1\",\"description\":\"Check-in at the door.\",\"format\":\"onsite\",\"venue\":\"JCC\",\"province_code\":\"31\",\"city\":\"Jakarta Pusat\",\"starts_at\":\"$start\",\"ends_at\":\"$end\",\"capacity\":${2:-1000000},\"budget_idr\":150000000,\"funding_source\":\"apbd\"}" "$token" | json '["id"]')
  post "/api/v1/events/$id/publish" '{}' "$token" >/dev/null
  echo "$id"
}
# $1 job seekers, numbered from $2, made by SQL (their profiles vary over the breakdowns).
seekers() {
  sql "INSERT INTO job_seekers (id, full_name, nik_hash, nik_last4, birth_date, gender, education_level,
         province_code, city, disability, consent_at, consent_recorded_by, created_by, created_at, updated_at)
       SELECT md5('seeker' || g)::uuid::text, 'Bench Seeker ' || g, md5('nik' || g), lpad((g % 10000)::text, 4, '0'),
         date '1980-01-01' + (g % 9000), CASE WHEN g % 2 = 0 THEN 'female' ELSE 'male' END,
         (ARRAY['sd','smp','sma','smk','d3','s1'])[1 + g % 6], '31', 'Jakarta', g % 50 = 0,
         now(), '$user', '$user', now(), now()
       FROM generate_series($2, $2 + $1 - 1) g"
}
# Registers job seekers $2.. ($3 of them) for fair $1 by SQL, with codes from their numbers.
registered() {
  sql "INSERT INTO registrations (id, event_id, job_seeker_id, check_in_code, registered_at, registered_by, updated_at)
       SELECT md5('reg' || '$1' || g)::uuid::text, '$1', md5('seeker' || g)::uuid::text,
         upper(substr(md5('code' || g), 1, 4) || '-' || substr(md5('code' || g), 5, 4) || '-' ||
               substr(md5('code' || g), 9, 4) || '-' || substr(md5('code' || g), 13, 4)),
         now(), '$user', now()
       FROM generate_series($2, $2 + $3 - 1) g;
       UPDATE events SET registrations_count = registrations_count + $3 WHERE id = '$1'"
}

# --- measuring --------------------------------------------------------------------------------
rps() { # wrk script, URL: requests per second
  wrk -t"$threads" -c"$conns" -d"${duration}s" -s "$1" "$2" | tee -a "$work/wrk.log" | awk '/Requests\/sec/ {print $2}'
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
errors_lua='response = function(status, headers, body) if status >= 300 then errors = (errors or 0) + 1 end end'
echo 'wrk.method = "POST"' >"$work/ref-update.lua"
: >"$work/ref-read.lua"
# A wrk script posting, per request, the next line of $1 ("path<TAB>json body") of this
# thread's share (threads take lines i, i+n, i+2n, ...), starting at line $2.
lines_lua() {
  cat <<LUA
local lines, n, i = {}, 0, 0
local step, offset = $threads, $2
for line in io.lines("$1") do lines[#lines + 1] = line end
local id = 0
setup = function(thread) thread:set("tid", id); id = id + 1 end
init = function() i = offset + tid end
request = function()
  local line = lines[(i % #lines) + 1]
  i = i + step
  local path, body = line:match("([^\t]+)\t(.*)")
  return wrk.format("POST", path, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer $token"}, body)
end
$errors_lua
LUA
}
# Alternating rounds: reference ($1: lua, $2: URL), Bursa ($3: lua maker taking the round, $4: URL).
compare() {
  local refs=() bursas=()
  for ((r = 0; r < rounds; r++)); do
    refs+=("$(rps "$1" "$2")")
    "$3" "$r" >"$work/bursa.lua"
    bursas+=("$(rps "$work/bursa.lua" "$4")")
    echo "round $((r + 1)): reference ${refs[-1]} req/s, bursa ${bursas[-1]} req/s"
  done
  ref_m=$(median "${refs[@]}") bursa_m=$(median "${bursas[@]}")
}
# Lines per round: more than the fastest plausible rate could use.
per_round=$((4000 * duration))

case $scenario in
  spread|one)
    fairs=1; [[ $scenario == spread ]] && fairs=20
    total=$((per_round * rounds))
    seekers "$total" 1
    : >"$work/codes"
    for ((f = 0; f < fairs; f++)); do
      id=$(fair "$f")
      share=$((total / fairs))
      registered "$id" $((1 + f * share)) "$share"
      sql "SELECT '/api/v1/events/$id/check-ins' || chr(9) || '{\"check_in_code\":\"' || check_in_code || '\"}'
           FROM registrations WHERE event_id = '$id'" >>"$work/codes.$f"
    done
    # Interleave the fairs' lines, so consecutive scans go to different fairs.
    paste -d '\n' "$work"/codes.* | grep -v '^$' >"$work/codes"
    sql "VACUUM ANALYZE" >/dev/null
    round_lua() { lines_lua "$work/codes" $(($1 * per_round)); }
    compare "$work/ref-update.lua" "http://127.0.0.1:18080/ref/$ref_id/check-in" round_lua "$base/"
    target=0.25; [[ $scenario == spread ]] && target=0.40
    checked=$(sql "SELECT count(*) FROM registrations WHERE checked_in_at IS NOT NULL")
    echo "first check-ins over $fairs fair(s) recorded: $checked"
    ;;
  registrations)
    # Staff register job seekers by id: the empty fair first, then one already holding 200,000.
    total=$((per_round * rounds))
    seekers $((total * 2 + 200000)) 1
    empty=$(fair empty) full=$(fair full)
    registered "$full" $((total * 2 + 1)) 200000
    sql "SELECT '/api/v1/events/$empty/registrations' || chr(9) || '{\"job_seeker_id\":\"' || md5('seeker' || g)::uuid::text || '\"}'
         FROM generate_series(1, $total) g" >"$work/empty"
    sql "SELECT '/api/v1/events/$full/registrations' || chr(9) || '{\"job_seeker_id\":\"' || md5('seeker' || g)::uuid::text || '\"}'
         FROM generate_series($total + 1, 2 * $total) g" >"$work/full"
    "$bursa" metrics rebuild >/dev/null
    sql "VACUUM ANALYZE" >/dev/null
    empties=() fulls=()
    for ((r = 0; r < rounds; r++)); do
      lines_lua "$work/empty" $((r * per_round)) >"$work/e.lua"
      lines_lua "$work/full" $((r * per_round)) >"$work/f.lua"
      empties+=("$(rps "$work/e.lua" "$base/")")
      fulls+=("$(rps "$work/f.lua" "$base/")")
      echo "round $((r + 1)): empty fair ${empties[-1]} req/s, fair of 200,000 ${fulls[-1]} req/s"
    done
    ref_m=$(median "${empties[@]}") bursa_m=$(median "${fulls[@]}")
    target=0.80
    ;;
  get-event)
    event=$(fair read)
    printf 'wrk.headers["Authorization"] = "Bearer %s"\n%s\n' "$token" "$errors_lua" >"$work/get.lua"
    get_lua() { cat "$work/get.lua"; }
    compare "$work/ref-read.lua" "http://127.0.0.1:18080/ref/$ref_id" get_lua "$base/api/v1/events/$event"
    target=0.80
    ;;
  *) echo "door.sh: unknown scenario $scenario" >&2; exit 2 ;;
esac
if grep -q "Non-2xx" "$work/wrk.log" 2>/dev/null; then
  echo "door.sh: some requests were not answered 2xx:" >&2; grep "Non-2xx" "$work/wrk.log" >&2; exit 1
fi
awk -v r="$ref_m" -v b="$bursa_m" -v s="$scenario" -v t="$target" \
  'BEGIN {printf "%s: baseline %.0f req/s, bursa %.0f req/s, ratio %.2f (target >= %.2f)\n", s, r, b, b/r, t}'
