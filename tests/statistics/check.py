#!/usr/bin/env python3
"""Checks a built site's statistics against figures computed here,
independently, from its decisions.json; that every statistics page's SVG
is well-formed XML with a <title> and a table after it; and that no
canary string is in statistics/ or statistics.json/.csv.

usage: check.py SITE [--canary S]...
"""
import csv
import datetime
import json
import os
import sys
import xml.etree.ElementTree as ET
from collections import Counter

SVG = "{http://www.w3.org/2000/svg}"


def day(s):
    return datetime.date.fromisoformat(s) if s else None


def expected(rows, year):
    taken = [r for r in rows if r["decision_date"] and (year is None or day(r["decision_date"]).year == year)]
    makers = Counter(r["decision_maker"] for r in taken)
    top = sorted(makers.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    delays = {}
    for r in taken:
        d, p = day(r["decision_date"]), day(r["published"])
        if p and p >= d:
            delays.setdefault(d.year, []).append((p - d).days)
    spreads = {}
    for y, days in delays.items():
        days.sort()
        # nearest rank, halves rounded up (as decreg does; Python's round() would round to even)
        at = lambda q: days[min(int(q * (len(days) - 1) + 0.5), len(days) - 1)]
        spreads[y] = (len(days), days[0], at(0.5), days[-1])
    months = Counter(r["decision_date"][:7] for r in taken)
    return {
        "decisions": len(taken),
        "key": sum(1 for r in taken if r["key_decision"]),
        "exempt": sum(1 for r in taken if r["exempt"]),
        "top": [[n, c] for n, c in top],
        "spreads": spreads,
        "months": dict(months),
    }


def got(s):
    return {
        "decisions": s["decisions"],
        "key": s["key"]["key"],
        "exempt": s["exempt"],
        "top": [[c["name"], c["count"]] for c in s["top_decision_makers"]],
        "spreads": {d["year"]: (d["decisions"], d["min"], d["median"], d["max"]) for d in s["publication_days"]},
        "months": {m["month"]: sum(m["by_kind"]) for m in s["by_month"] if sum(m["by_kind"])},
    }


def svgs(html):
    out, at = [], 0
    while True:
        start = html.find("<svg", at)
        if start < 0:
            return out
        end = html.find("</svg>", start) + len("</svg>")
        out.append((html[start:end], html[end:end + 2000]))
        at = end


def main(args):
    site, canaries = args[0], []
    rest = args[1:]
    while rest:
        if rest[0] == "--canary":
            canaries.append(rest[1])
            rest = rest[2:]
        else:
            sys.exit(f"unknown argument {rest[0]}")
    failures = []
    rows = json.load(open(os.path.join(site, "decisions.json"), encoding="utf-8"))
    stats = json.load(open(os.path.join(site, "statistics.json"), encoding="utf-8"))
    for s in stats:
        want, have = expected(rows, s["year"]), got(s)
        for k in want:
            if want[k] != have[k]:
                failures.append(f"{s['year'] or 'all'}: {k}: decisions.json gives {want[k]!r}, statistics.json {have[k]!r}")
    with open(os.path.join(site, "statistics.csv"), encoding="utf-8", newline="") as f:
        table = list(csv.DictReader(f))
    for s in stats:
        period = str(s["year"]) if s["year"] else "all"
        n = [r for r in table if r["period"] == period and r["chart"] == "decisions"]
        if not n or int(n[0]["value"]) != s["decisions"]:
            failures.append(f"statistics.csv: {period} decisions")
    pages = 0
    for dirpath, _, files in os.walk(os.path.join(site, "statistics")):
        for name in files:
            html = open(os.path.join(dirpath, name), encoding="utf-8").read()
            pages += 1
            charts = svgs(html)
            if len(charts) < 4:
                failures.append(f"{dirpath}: {len(charts)} charts")
            for svg, after in charts:
                try:
                    root = ET.fromstring(svg)
                except ET.ParseError as e:
                    failures.append(f"{dirpath}: an SVG is not well-formed: {e}")
                    continue
                if root.find(SVG + "title") is None or not root.find(SVG + "title").text:
                    failures.append(f"{dirpath}: an SVG has no <title>")
                if "<table" not in after:
                    failures.append(f"{dirpath}: a chart has no table after it")
    for c in canaries:
        for path in [os.path.join(site, "statistics.json"), os.path.join(site, "statistics.csv")] + [
            os.path.join(d, f) for d, _, fs in os.walk(os.path.join(site, "statistics")) for f in fs
        ]:
            if c in open(path, encoding="utf-8").read():
                failures.append(f"{path} contains the canary {c!r}")
    for f in failures[:50]:
        print("FAIL", f)
    print(f"statistics: {len(stats)} periods, {pages} pages, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
