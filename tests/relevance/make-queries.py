#!/usr/bin/env python3
"""make-queries.py REGISTER OUT.json [--seed S] [--per-kind N]

Writes a relevance test set over a register: queries a member of the
public would type, each with the decision they mean. Four kinds, N each
(default 60):

  exact       a decision's title as typed, for a title with no year in it
  exact-year  the same for a title with a year ("... 2018/19"), where the
              decisions of other years differ only in the year
  words       two or three words remembered from a title, in its order,
              that no other title holds all of
  area-topic  one of a decision's areas (wards) and one of its subjects;
              the decision meant is the newest with both

Only titles no other decision shares are used, so that "the decision
meant" is one. The same register and seed always give the same queries;
another seed gives queries the ranking was not tuned on.
"""
import argparse
import json
import os
import random
import re
import sys

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YEAR = re.compile(r"\b(19|20)\d\d\b")
STOP = {"and", "the", "of", "for", "to", "in", "on", "a", "an", "with", "at", "by", "from", "or", "into", "its"}


def front_matter(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".md"):
        end = text.find("\n---", 3)
        text = text[3:end] if text.startswith("---") and end > 0 else ""
    meta = yaml.load(text, Loader=Loader) or {}
    return meta if isinstance(meta, dict) else {}


def records(root):
    out = []
    for folder, dirs, files in os.walk(os.path.join(root, "decisions")):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith((".md", ".yaml")):
                continue
            meta = front_matter(os.path.join(folder, name))
            if "title" not in meta:
                continue
            date = meta.get("decision_date") or meta.get("expected_date") or meta.get("published")
            out.append({
                "id": str(meta.get("id") or os.path.splitext(name)[0]),
                "title": str(meta["title"]),
                "date": str(date or ""),
                "areas": [str(a) for a in meta.get("areas") or meta.get("wards") or []],
                "subjects": [str(s) for s in meta.get("subjects") or []],
            })
    return out


def words_of(title):
    return [w for w in re.split(r"[^\w’'/£.-]+", title) if w]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("register")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-kind", type=int, default=60)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    recs = records(a.register)
    titles = {}
    for r in recs:
        titles.setdefault(r["title"].lower(), []).append(r)
    unique = [r for r in recs if len(titles[r["title"].lower()]) == 1]
    rnd.shuffle(unique)
    queries = []

    def add(kind, query, rid):
        if len([q for q in queries if q["kind"] == kind]) < a.per_kind:
            queries.append({"kind": kind, "query": query, "id": rid})

    for r in unique:
        add("exact-year" if YEAR.search(r["title"]) else "exact", r["title"], r["id"])

    lowered = [(r, r["title"].lower()) for r in recs]
    for r in unique:
        content = [w for w in words_of(r["title"]) if w.lower() not in STOP and len(w) > 2]
        if len(content) < 3:
            continue
        picked = sorted(rnd.sample(range(len(content)), rnd.choice((2, 3))))
        chosen = [content[i] for i in picked]
        holders = [o for o, t in lowered if all(re.search(r"\b" + re.escape(w.lower()) + r"\b", t) for w in chosen)]
        if len(holders) == 1:
            add("words", " ".join(chosen), r["id"])

    pairs = {}
    for r in recs:
        for area in r["areas"]:
            for subject in r["subjects"]:
                pairs.setdefault((area, subject), []).append(r)
    keys = sorted(pairs)
    rnd.shuffle(keys)
    for area, subject in keys:
        holders = sorted(pairs[(area, subject)], key=lambda r: r["date"], reverse=True)
        if len(holders) > 1 and holders[0]["date"] == holders[1]["date"]:
            continue  # no one decision is meant
        add("area-topic", f"{area} {subject.lower()}", holders[0]["id"])

    counts = {k: sum(q["kind"] == k for q in queries) for k in ("exact", "exact-year", "words", "area-topic")}
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump({"register": f"gen-corpus over {len(recs)} records", "seed": a.seed, "queries": queries},
                  f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{a.out}: {len(queries)} queries {counts}", file=sys.stderr)


if __name__ == "__main__":
    main()
