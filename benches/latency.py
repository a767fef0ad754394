#!/usr/bin/env python3
"""Latency of GET requests, one at a time over one kept-alive connection: prints p50, p95, p99
and max in milliseconds. Used by benches/metrics.sh.

    latency.py BASE_URL TOKEN WARMUP COUNT PATH [PATH ...]

TOKEN is an API access token, or `cookie:NAME=VALUE` for the pages' session cookie.

The paths are requested in turn (COUNT requests in all, after WARMUP unmeasured ones); any
answer other than 200 stops the run.
"""
import http.client
import sys
import time
import urllib.parse


def main():
    base, token, warmup, count, paths = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    if token.startswith("cookie:"):
        headers = {"Cookie": token[len("cookie:"):]}
    else:
        headers = {"Authorization": f"Bearer {token}"}
    times = []
    for i in range(warmup + count):
        path = paths[i % len(paths)]
        start = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status != 200:
            sys.exit(f"latency.py: {path} answered {response.status}: {body[:300]!r}")
        if i >= warmup:
            times.append(elapsed)
    times.sort()

    def pct(p):
        return times[min(len(times) - 1, int(round(p / 100 * len(times))) - 1)]

    print(f"n={len(times)} p50={pct(50):.1f} p95={pct(95):.1f} p99={pct(99):.1f} max={times[-1]:.1f} ms")


if __name__ == "__main__":
    main()
