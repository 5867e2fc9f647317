#!/usr/bin/env python3
"""Validates records against `decreg schema` with a real JSON Schema
validator (jsonschema, draft 2020-12), as an editor would: every record of
the given registers must pass; each file under tests/schema/bad/ must fail.

usage: check.py SCHEMA.json REGISTER_DIR...
"""
import datetime
import json
import sys
from pathlib import Path

import jsonschema
import yaml


def plain(v):
    """YAML 1.1 reads 2012-11-13 as a date; records mean the text."""
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def fields(path):
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".md":
        text = text.split("\n---\n", 1)[0].removeprefix("---\n")
    return plain(yaml.safe_load(text))


def main(argv):
    schema = json.loads(Path(argv[1]).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    passed, failed = 0, []
    for root in argv[2:]:
        for path in sorted(Path(root, "decisions").rglob("*")):
            if path.suffix not in (".md", ".yaml", ".yml") or path.name.startswith(("_", ".")):
                continue
            errors = [e.message for e in validator.iter_errors(fields(path))]
            if errors:
                failed.append(f"{path}: {errors[:3]}")
            else:
                passed += 1
    for path in sorted(Path(__file__).parent.joinpath("bad").glob("*")):
        if list(validator.iter_errors(fields(path))):
            passed += 1
        else:
            failed.append(f"{path}: accepted, but should be refused")
    for f in failed:
        print("FAIL", f)
    print(f"{passed} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
