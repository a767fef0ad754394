#!/usr/bin/env python3
"""What the fuzzer reached, per operation of openapi.yaml, from Schemathesis's HAR report.

An operation counts as *reached* when at least one request got past the caller and id checks:
a 2xx, a 409/410 (the object exists, the caller may act on it, its state says no), or a 400
`code_wrong` (a one-time code was compared with the live one: only the WhatsApp message knows
it). 401, 403, 404, 405, 422 and any other 400 mean it never got there.

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


def reached(status, body):
    if 200 <= status < 300 or status in (409, 410):
        return True
    return status == 400 and '"code":"code_wrong"' in body.replace(" ", "")


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
    reached_ops = set()
    har = json.load(open(args[1]))
    for entry in har["log"]["entries"]:
        method = entry["request"]["method"].upper()
        path = urllib.parse.urlsplit(entry["request"]["url"]).path
        status = entry["response"]["status"]
        body = entry["response"].get("content", {}).get("text") or ""
        for op_id, op_method, _, pattern, _ in ops:
            if op_method == method and pattern.match(path):
                statuses[op_id][status] += 1
                if reached(status, body):
                    reached_ops.add(op_id)
                break

    rows, missing = [], []
    for op_id, method, path, _, _ in sorted(ops, key=lambda op: (op[2], op[1])):
        seen = statuses.get(op_id, collections.Counter())
        if op_id not in reached_ops:
            missing.append(op_id)
        codes = " ".join(f"{s}x{n}" for s, n in sorted(seen.items()))
        mark = "yes" if op_id in reached_ops else "NO "
        rows.append(f"{mark:4} {method:6} {path:58} {op_id:34} {codes}")
    print("reached method path" + " " * 53 + "operationId" + " " * 24 + "answers (status x count)")
    print("\n".join(rows))
    print(f"operations reached: {len(ops) - len(missing)} of {len(ops)}")
    if missing:
        print("not reached: " + ", ".join(missing))
        if require_all:
            sys.exit(1)


if __name__ == "__main__":
    main()
