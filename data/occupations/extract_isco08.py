#!/usr/bin/env python3
"""Extract the ISCO-08 unit groups (4-digit codes) into isco08_unit_groups.csv.

Source: the CRAN package occupationMeasurement 0.3.2 (MIT), dataset `isco_08_en`
(data/isco_08_en.rda), itself taken from ESCO v1.1 (European Commission), which
carries the ILO's ISCO-08 structure. Needs the PyPI package `rdata` (1.1.0 used):

    pip install rdata==1.1.0
    python3 data/occupations/extract_isco08.py path/to/isco_08_en.rda > data/occupations/isco08_unit_groups.csv
"""
import csv
import sys

import rdata

frame = rdata.read_rda(sys.argv[1])["isco_08_en"]
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["code", "title_en"])
for code, label in zip(frame["code"], frame["label"]):
    code, label = str(code).strip(), " ".join(str(label).split())
    if len(code) == 4 and code.isdigit():
        out.writerow([code, label])
