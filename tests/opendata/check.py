#!/usr/bin/env python3
"""Reads a built site's open data with standard parsers, as its users will:
the Atom feeds with feedparser, the calendar with icalendar, the CSV with
the csv module, the JSON and the sitemap with the standard library.

usage: check.py SITE_DIR [--canary S]...   (exit 1 on any failure)
"""
import csv
import io
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import icalendar

COLUMNS = ["id", "url", "title", "council", "decision_maker", "status", "key_decision", "exempt", "decision_date",
           "expected_date", "published", "call_in_state", "call_in_deadline", "forward_plan_ref", "areas", "subjects",
           "summary"]

passed, failed = 0, []


def check(name, ok, detail=""):
    global passed
    if ok:
        passed += 1
        print(f"PASS {name}")
    else:
        failed.append(name)
        print(f"FAIL {name} {detail}")


def main(argv):
    site = Path(argv[1])
    canaries = [argv[i + 1] for i, a in enumerate(argv) if a == "--canary"]
    rows_json = json.loads((site / "decisions.json").read_text(encoding="utf-8"))
    check("decisions.json is a list of decisions", isinstance(rows_json, list) and len(rows_json) > 0)
    check("decisions.json has the documented fields", all(list(r.keys()) == COLUMNS for r in rows_json))

    text = (site / "decisions.csv").read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    check("decisions.csv has the documented columns", reader.fieldnames == COLUMNS, reader.fieldnames)
    check("decisions.csv has a row per decision in decisions.json", len(rows) == len(rows_json), f"{len(rows)} vs {len(rows_json)}")
    check("CSV and JSON agree on ids and titles", [(r["id"], r["title"]) for r in rows] == [(r["id"], r["title"]) for r in rows_json])

    feeds = sorted((site / "feeds").glob("*.atom"))
    check("there is a feed for all decisions and per decision maker", (site / "feeds/decisions.atom") in feeds and len(feeds) > 1)
    for f in feeds:
        parsed = feedparser.parse(f.read_bytes())
        ok = not parsed.bozo and parsed.version == "atom10" and len(parsed.entries) > 0
        ok = ok and all(e.get("title") and e.get("link") and e.get("updated_parsed") and e.get("id") for e in parsed.entries)
        check(f"feed {f.name} parses as Atom 1.0 with complete entries", ok, getattr(parsed, "bozo_exception", ""))
    main_feed = feedparser.parse((site / "feeds/decisions.atom").read_bytes())
    check("the main feed links decision pages", all("/decisions/" in e.link for e in main_feed.entries))

    cal = icalendar.Calendar.from_ical((site / "calendar.ics").read_bytes())
    events = [c for c in cal.walk("VEVENT")]
    check("calendar.ics parses with events", len(events) > 0)
    check("every event has a UID, a start date and a summary", all(e.get("UID") and e.get("DTSTART") and e.get("SUMMARY") for e in events))
    uids = [str(e.get("UID")) for e in events]
    check("event UIDs are unique", len(uids) == len(set(uids)))

    meeting_dir = site / "meetings"
    meetings = {p.parent.name for p in meeting_dir.glob("*/index.html") if p.parent.name[:4].isdigit()}
    meeting_events = {str(e.get("UID")).split("@")[0][len("meeting-"):] for e in events if str(e.get("UID")).startswith("meeting-")}
    check("every meeting's page has its event in calendar.ics, and no other meeting does", meetings == meeting_events,
          sorted(meetings ^ meeting_events)[:5])

    sitemap = site / "sitemap.xml"
    if sitemap.exists():
        root = ET.parse(sitemap).getroot()
        check("sitemap.xml parses as a sitemap", root.tag.endswith("urlset") or root.tag.endswith("sitemapindex"))
        ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
        parts = [site / loc.text.rsplit("/", 1)[-1] for loc in root.iter(ns + "loc")] if root.tag.endswith("sitemapindex") else [sitemap]
        locs = [loc.text for part in parts for loc in ET.parse(part).getroot().iter(ns + "loc")]
        base = locs[0] if locs else ""
        missing = [u for u in locs if not (site / u[len(base):] / "index.html").is_file() and not (site / u[len(base):]).is_file()]
        check("every page in the sitemap is in the site", not missing, missing[:5])
        pages = {f"{base}meetings/{m}/" for m in meetings}
        check("every meeting's page is in the sitemap", pages <= set(locs), sorted(pages - set(locs))[:5])

    for canary in canaries:
        hits = [str(p.relative_to(site)) for p in site.rglob("*") if p.is_file() and p.suffix in (".json", ".csv", ".atom", ".ics", ".xml")
                and canary.encode() in p.read_bytes()]
        check(f"no open data file contains {canary!r}", not hits, hits)

    print(f"{passed} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
