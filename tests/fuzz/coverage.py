#!/usr/bin/env python3
"""What the fuzzer reached, per operation of openapi.yaml, from Schemathesis's HAR report.

An operation counts as *reached* when at least one request got past the caller and id checks:
a 2xx, or a 409/410 (the object exists, the caller may act on it, its state says no). Only
401, 403, 404, 405 and 422 answers mean it never got there.

Usage: coverage.py OPENAPI_YAML HAR_FILE [--require-all]. With --require-all, exits 1 when an
operation was not reached. Needs PyYAML (Schemathesis brings it).
"""

import collections
import json
import re
import sys
import urllib.parse

import yaml

METHODS = ("get", "post", "put", "patch", "delete")
REACHED = lambda status: 200 <= status < 300 or status in (409, 410)  # noqa: E731


def operations(spec):
    found = []
    for path, item in spec["paths"].items():
        pattern = re.compile("^" + re.sub(r"\{[^/}]+\}", "[^/]+", path) + "$")
        literal = path.count("{") == 0
        for method in METHODS:
            if method in item:
                found.append((item[method]["operationId"], method.upper(), path, pattern, literal))
    # Literal paths first, so /api/v1/follow-ups/due is not taken for a templated one.
    found.sort(key=lambda op: (not op[4], -len(op[2])))
    return found


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    require_all = "--require-all" in sys.argv
    spec = yaml.safe_load(open(args[0]))
    ops = operations(spec)
    statuses = collections.defaultdict(collections.Counter)
    har = json.load(open(args[1]))
    for entry in har["log"]["entries"]:
        method = entry["request"]["method"].upper()
        path = urllib.parse.urlsplit(entry["request"]["url"]).path
        status = entry["response"]["status"]
        for op_id, op_method, _, pattern, _ in ops:
            if op_method == method and pattern.match(path):
                statuses[op_id][status] += 1
                break

    rows, missing = [], []
    for op_id, method, path, _, _ in sorted(ops, key=lambda op: (op[2], op[1])):
        seen = statuses.get(op_id, collections.Counter())
        reached = any(REACHED(s) for s in seen)
        if not reached:
            missing.append(op_id)
        codes = " ".join(f"{s}x{n}" for s, n in sorted(seen.items()))
        rows.append(f"{'yes' if reached else 'NO ':4} {method:6} {path:58} {op_id:34} {codes}")
    print("reached method path" + " " * 53 + "operationId" + " " * 24 + "answers (status x count)")
    print("\n".join(rows))
    print(f"operations reached: {len(ops) - len(missing)} of {len(ops)}")
    if missing:
        print("not reached: " + ", ".join(missing))
        if require_all:
            sys.exit(1)


if __name__ == "__main__":
    main()
