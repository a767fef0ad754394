#!/usr/bin/env python3
"""Simplify the province outlines of the npm package @svg-maps/indonesia 1.0.0 (CC BY 4.0,
based on the MapSVG map of Indonesia) into data/provinces/indonesia.tsv, one line per province:
BPS code, name, SVG path (absolute coordinates in the package's viewBox "0 29 793 288").

Run once, by hand, from the repository root (nothing at build or run time needs Python):

    npm pack @svg-maps/indonesia@1.0.0          # sha256 95106332165bacee...c0b3b577
    python3 tools/provinces/simplify.py indonesia-1.0.0.tgz > data/provinces/indonesia.tsv

The package has the 34 provinces of before the 2022 Papua splits. Papua (91) and Papua Barat (92)
keep their pre-2022 outlines; the four newer provinces (93-96) have no outline of their own
here, see data/provinces/README.md. No shape is made up: points are only dropped
(Ramer-Douglas-Peucker) and islands smaller than MIN_AREA dropped.
"""
import re
import sys
import tarfile

TOLERANCE = 0.35  # viewBox units; the map is 793 units wide
MIN_AREA = 0.6  # square viewBox units; smaller islands vanish at phone size anyway
SHA256 = "95106332165bacee803ec4eb5086c849faf8d6992917ced9178b7ecfc0b3b577"

# ISO 3166-2:ID (the package's ids) to the BPS/Kemendagri codes of data/provinces.csv.
ISO_TO_BPS = {
    "ac": "11", "su": "12", "sb": "13", "ri": "14", "ja": "15", "ss": "16", "be": "17",
    "la": "18", "bb": "19", "kr": "21", "jk": "31", "jb": "32", "jt": "33", "yo": "34",
    "ji": "35", "bt": "36", "ba": "51", "nb": "52", "nt": "53", "kb": "61", "kt": "62",
    "ks": "63", "ki": "64", "ku": "65", "sa": "71", "st": "72", "sn": "73", "sg": "74",
    "go": "75", "sr": "76", "ma": "81", "mu": "82", "pa": "91", "pb": "92",
}


def rings(d):
    """The closed rings of a path made of relative `m` (implicit lineto) and `z` only."""
    tokens = re.findall(r"[mzMZ]|-?[0-9]*\.?[0-9]+(?:e-?[0-9]+)?", d)
    out, ring, start, cur, i = [], [], (0.0, 0.0), (0.0, 0.0), 0
    while i < len(tokens):
        t = tokens[i]
        if t in "mM":
            if ring:
                out.append(ring)
            x, y = float(tokens[i + 1]), float(tokens[i + 2])
            cur = (cur[0] + x, cur[1] + y) if t == "m" else (x, y)
            start, ring, i = cur, [cur], i + 3
            rel = t == "m"
            while i < len(tokens) and tokens[i] not in "mMzZ":
                x, y = float(tokens[i]), float(tokens[i + 1])
                cur = (cur[0] + x, cur[1] + y) if rel else (x, y)
                ring.append(cur)
                i += 2
        elif t in "zZ":
            out.append(ring)
            ring, cur, i = [], start, i + 1
        else:
            raise ValueError(f"unexpected token {t!r}")
    if ring:
        out.append(ring)
    return out


def area(ring):
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]))) / 2


def rdp(points, eps):
    if len(points) < 3:
        return points
    (x0, y0), (x1, y1) = points[0], points[-1]
    dx, dy = x1 - x0, y1 - y0
    norm = (dx * dx + dy * dy) ** 0.5
    best, index = 0.0, 0
    for k, (x, y) in enumerate(points[1:-1], 1):
        dist = abs(dy * x - dx * y + x1 * y0 - y1 * x0) / norm if norm else ((x - x0) ** 2 + (y - y0) ** 2) ** 0.5
        if dist > best:
            best, index = dist, k
    if best <= eps:
        return [points[0], points[-1]]
    return rdp(points[: index + 1], eps)[:-1] + rdp(points[index:], eps)


def simplify(ring):
    # Split the closed ring at its farthest point so both halves are open polylines.
    far = max(range(len(ring)), key=lambda k: (ring[k][0] - ring[0][0]) ** 2 + (ring[k][1] - ring[0][1]) ** 2)
    first = rdp(ring[: far + 1], TOLERANCE)
    second = rdp(ring[far:] + [ring[0]], TOLERANCE)
    return first[:-1] + second[:-1]


def fmt(v):
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else s


def path(rs):
    parts = []
    for ring in rs:
        pts = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in ring)
        parts.append(f"M{pts}Z")
    return "".join(parts)


def main():
    source = sys.argv[1]
    if source.endswith(".tgz"):
        import hashlib

        digest = hashlib.sha256(open(source, "rb").read()).hexdigest()
        if digest != SHA256:
            sys.exit(f"unexpected package: sha256 {digest}")
        svg = tarfile.open(source).extractfile("package/indonesia.svg").read().decode()
    else:
        svg = open(source).read()
    print("# Simplified from npm @svg-maps/indonesia 1.0.0 (CC BY 4.0, based on MapSVG); see README.md")
    print("# viewBox\t0 29 793 288")
    print("# code\tname\tpath")
    paths = re.findall(r'<path\s+id="id-([a-z]+)"\s+name="([^"]+)"\s+d="([^"]+)"', svg)
    assert len(paths) == 34, len(paths)
    rows = []
    for iso, name, d in paths:
        rs = rings(d)
        biggest = max(rs, key=area)
        kept = [simplify(r) for r in rs if r is biggest or area(r) >= MIN_AREA]
        kept = [r for r in kept if len(r) >= 3]
        rows.append((ISO_TO_BPS[iso], name, path(kept)))
    for code, name, p in sorted(rows):
        print(f"{code}\t{name}\t{p}")


if __name__ == "__main__":
    main()
