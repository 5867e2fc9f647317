#!/usr/bin/env python3
"""Reads `decreg audit`'s JSON and CSV with Python's standard parsers and
checks they agree: every problem of the JSON is one CSV row, with the same
code, file, line and severity, and the counts add up.

usage: check.py AUDIT.json AUDIT.csv
"""
import csv
import json
import sys

COLUMNS = ["severity", "code", "file", "line", "column", "id", "title", "decision_maker",
           "decision_date", "published", "message", "what_the_law_asks", "source"]


def main(json_path, csv_path):
    with open(json_path, encoding="utf-8") as f:
        audit = json.load(f)
    with open(csv_path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    failures = []
    if rows and list(rows[0].keys()) != COLUMNS:
        failures.append(f"CSV columns {list(rows[0].keys())}")
    from_json = sorted(
        (p["severity"], p["code"], r["file"], str(p["line"]))
        for r in audit["problems"] for p in r["problems"])
    from_csv = sorted((row["severity"], row["code"], row["file"], row["line"]) for row in rows)
    if from_json != from_csv:
        failures.append("the CSV's rows are not the JSON's problems")
    findings = sum(1 for row in rows if row["severity"] == "finding")
    if findings != audit["findings"]:
        failures.append(f"{findings} finding rows, but the JSON counts {audit['findings']}")
    if sum(r["count"] for r in audit["by_rule"] if r["kind"] == "finding") != audit["findings"]:
        failures.append("findings by rule do not add up")
    for group in ("by_decision_maker", "by_year"):
        if sum(g["findings"] for g in audit[group]) != audit["findings"]:
            failures.append(f"findings {group} do not add up")
        if sum(g["records"] for g in audit[group]) != audit["records"]:
            failures.append(f"records {group} do not add up")
    for f in failures:
        print("FAIL", f)
    print(f"audit: {len(rows)} CSV rows, {audit['findings']} findings, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
