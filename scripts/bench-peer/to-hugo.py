#!/usr/bin/env python3
"""to-hugo.py REGISTER SITE

Turns a decreg register (register.yaml, decisions/**/*.md|yaml, documents/)
into a Hugo site for the benchmark's peer: the skeleton in hugo/ beside this
file (config, layouts, static), one content page per record
(content/decisions/<id>.md: title, date, the decision maker as a taxonomy
term, status, key decision, reference, areas, subjects, and the body
Markdown; pure-YAML records' `sections:` become `## heading` sections), a
search page, and the documents (hard links where possible) under static/.
SITE is replaced whole. Not timed against Hugo: scripts/bench times it apart.
Exempt records are shown like the others: the peer is a speed baseline.
"""
import json
import os
import shutil
import sys

import yaml

try:
    Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML without libyaml
    Loader = yaml.SafeLoader

HERE = os.path.dirname(os.path.abspath(__file__))


def split_markdown(text):
    """(front matter text, body) of a Markdown record with YAML front matter."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.startswith("---"):
        return "", text
    end = text.find("\n---", 3)
    if end < 0:
        return text[3:], ""
    nl = text.find("\n", end + 4)
    return text[3:end], ("" if nl < 0 else text[nl + 1:])


def record(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".md"):
        fm, body = split_markdown(text)
        meta = yaml.load(fm, Loader=Loader) or {}
    else:
        meta = yaml.load(text, Loader=Loader) or {}
        parts = []
        for s in meta.pop("sections", None) or []:
            parts.append(f"## {s.get('heading', '')}\n\n{(s.get('body') or '').rstrip()}\n")
        body = "\n".join(parts)
    return meta, body


def as_list(v):
    if v is None:
        return []
    return [str(x) for x in v] if isinstance(v, list) else [str(v)]


def front_matter(rid, meta):
    date = (meta.get("decision_date") or meta.get("expected_date") or meta.get("published")
            or meta.get("not_before") or "2000-01-01")
    fm = {
        "title": str(meta.get("title", rid)),
        "date": str(date),
        "decision_makers": as_list(meta.get("decision_maker")),
        "status": str(meta.get("status", "")),
        "key_decision": bool(meta.get("key_decision", False)),
    }
    if meta.get("reference"):
        fm["reference"] = str(meta["reference"])
    areas = meta.get("areas") or meta.get("wards") or meta.get("divisions")
    if areas:
        fm["areas"] = as_list(areas)
    if meta.get("subjects"):
        fm["subjects"] = as_list(meta["subjects"])
    # JSON is YAML: one line per field, every string quoted, nothing to escape by hand.
    return "---\n" + "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in fm.items()) + "---\n"


def link_tree(src, dst):
    for dirpath, _dirs, files in os.walk(src):
        out = os.path.join(dst, os.path.relpath(dirpath, src))
        os.makedirs(out, exist_ok=True)
        for name in files:
            s, d = os.path.join(dirpath, name), os.path.join(out, name)
            try:
                os.link(s, d)
            except OSError:
                shutil.copy2(s, d)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    reg, site = sys.argv[1], sys.argv[2]
    if os.path.exists(site):
        shutil.rmtree(site)
    shutil.copytree(os.path.join(HERE, "hugo"), site)
    content = os.path.join(site, "content", "decisions")
    os.makedirs(content)
    with open(os.path.join(content, "_index.md"), "w", encoding="utf-8") as f:
        f.write('---\ntitle: "All decisions"\n---\n')
    with open(os.path.join(site, "content", "search.md"), "w", encoding="utf-8") as f:
        f.write('---\ntitle: "Search decisions"\nlayout: search\nurl: /search/\n---\n')
    n = 0
    for dirpath, dirs, files in os.walk(os.path.join(reg, "decisions")):
        dirs.sort()
        for name in sorted(files):
            if name.startswith((".", "_")) or not name.endswith((".md", ".yaml", ".yml")):
                continue
            meta, body = record(os.path.join(dirpath, name))
            rid = str(meta.get("id") or os.path.splitext(name)[0])
            with open(os.path.join(content, rid + ".md"), "w", encoding="utf-8") as f:
                f.write(front_matter(rid, meta))
                f.write("\n")
                f.write(body)
            n += 1
    docs = os.path.join(reg, "documents")
    if os.path.isdir(docs):
        link_tree(docs, os.path.join(site, "static", "documents"))
    print(f"to-hugo: {n} records -> {site}")


if __name__ == "__main__":
    main()
