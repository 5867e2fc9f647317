#!/usr/bin/env python3
"""The benchmark's driver; scripts/bench installs what it needs and runs it.

run.py --decreg BIN --npm DIR --work DIR [--sizes 1000,10000,100000] [--runs 3]
       [--peer-max 50000] [--no-peer] [--no-browser] [--no-pdf]

For each size: a register from ../shared/bench/gen-corpus (reused when it
is there), then RUNS times, interleaved: decreg build --no-pdf from nothing,
the same again with nothing changed, again after one record's title is
edited in place (then put back), decreg check, and from 100,000 records
decreg serve with one title edited (serve_edit); and the peer: Hugo on the
site that to-hugo.py writes (the conversion is timed apart and not counted),
then Pagefind on Hugo's output. Then the bytes a first search fetches on
both sites, in headless Chromium (search-bytes.mjs), and PDFs: decreg build
with PDFs from nothing on the 1,000-record register. Wall times are taken
around each process; peak memory is /usr/bin/time -v's "Maximum resident
set size". Every figure is the median of the runs. Progress goes to stderr;
the Markdown report to stdout, WORK/results.md and (raw) WORK/results.json.
"""
import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
GEN = os.path.join(REPO, "..", "shared", "bench", "gen-corpus")
TODAY = "2026-11-24"
QUERIES = [("typical", "station quarter"), ("worst case", "council report decision budget service")]
CATEGORIES = ["load+check", "pages", "search index", "PDFs", "write", "other"]
GIB = 1024 ** 3

# ------------------------------------------------------------------ helpers


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def run_timed(cmd, cwd=None, check=True, stdout_file=None):
    """Runs cmd under /usr/bin/time -v: {wall (s, taken here), rss (bytes), rc, stderr}."""
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as tf:
        tpath = tf.name
    out = open(stdout_file, "w") if stdout_file else subprocess.PIPE
    # What the last build wrote is still going to disk for a minute after
    # it (1.5 GB at 100,000 decisions); the next build would pay for it in
    # slow reads. Every tool is timed on a settled disk, and the wait is
    # not counted.
    os.sync()
    try:
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-v", "-o", tpath, *cmd], cwd=cwd, stdout=out,
                           stderr=subprocess.PIPE, text=True, errors="replace")
        wall = time.perf_counter() - t0
    finally:
        if stdout_file:
            out.close()
    with open(tpath) as f:
        tv = f.read()
    os.unlink(tpath)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", tv)
    rss = int(m.group(1)) * 1024 if m else None
    if check and p.returncode != 0:
        tail = "\n".join((p.stderr or "").splitlines()[-20:])
        raise SystemExit(f"bench: {' '.join(cmd)} exited {p.returncode}\n{tail}")
    return {"wall": wall, "rss": rss, "rc": p.returncode, "stderr": p.stderr or ""}


UNITS = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
STAGE = re.compile(r"^\s*(\S.*?):\s+([0-9]+(?:\.[0-9]+)?)(ns|µs|us|ms|s)\s*$")


def stages(stderr):
    """Every `{stage:>24}: {duration:.2?}` line decreg -v prints, in order."""
    out = []
    for line in stderr.splitlines():
        m = STAGE.match(line)
        if m:
            out.append((m.group(1).strip(), float(m.group(2)) * UNITS[m.group(3)]))
    return out


def category(name):
    n = name.lower()
    if "pdf" in n:
        return "PDFs"
    if "search" in n:
        return "search index"
    if "check" in n or "load" in n:
        return "load+check"
    if "page" in n or "listing" in n:
        return "pages"
    if any(w in n for w in ("publish", "write", "assets")):
        return "write"
    return "other"


def by_category(st):
    out = {}
    for name, secs in st:
        c = category(name)
        out[c] = out.get(c, 0.0) + secs
    return out


def tree_size(path):
    total = files = 0
    for dirpath, _dirs, names in os.walk(path):
        for n in names:
            try:
                total += os.lstat(os.path.join(dirpath, n)).st_size
                files += 1
            except OSError:
                pass
    return total, files


TRASH = None  # WORK/trash, set in main()


def rmtree(path):
    """Moves a previous output out of the way, into WORK/trash, which is
    removed only when every figure is taken. Removing 100,000 pages during
    the run would slow every build for minutes after it, decreg's and
    Hugo's alike: ext4 passes over each inode freed in the last 60 s (300 s
    while its table is unwritten) when it makes a new one, which made builds
    2-3 times slower and their times meaningless."""
    if os.path.lexists(path):
        os.makedirs(TRASH, exist_ok=True)
        os.rename(path, os.path.join(TRASH, f"{os.path.basename(path)}-{time.time_ns()}"))


def empty_trash(settle):
    if os.path.lexists(TRASH):
        shutil.rmtree(TRASH)
        if settle:
            log("bench: removed the previous run's outputs; waiting 61 s for the file system to settle")
            os.sync()
            time.sleep(61)


def fmt_s(x):
    if x is None:
        return "–"
    if x < 1:
        return f"{x:.3f}"
    if x < 100:
        return f"{x:.2f}"
    return f"{x:.0f}"


def fmt_mem(b):
    if b is None:
        return "–"
    return f"{b / GIB:.2f} GiB" if b >= GIB else f"{b / 1024 ** 2:.0f} MiB"


def fmt_mb(b):
    if b is None:
        return "–"
    return f"{b / 1e9:.2f} GB" if b >= 1e9 else f"{b / 1e6:.1f} MB"


def fmt_kb(b):
    return "–" if b is None else f"{b / 1000:.1f} KB"


def fmt_n(n):
    return f"{n:,}"


def ratio(a, b):
    return None if a is None or not b else a / b


def fmt_r(r):
    return "–" if r is None else f"{r:.2f}×"


# ------------------------------------------------------------------ the register


def register(work, n):
    reg = os.path.join(work, f"reg-{n}")
    marker = os.path.join(reg, ".gen-corpus")
    backup = reg + ".edit-backup.json"
    if os.path.exists(backup):  # an edit left behind by an interrupted run
        with open(backup) as f:
            b = json.load(f)
        with open(b["path"], "w", encoding="utf-8") as f:
            f.write(b["text"])
        os.unlink(backup)
        log(f"  restored {b['path']} (left edited by an interrupted run)")
    ok = False
    if os.path.exists(marker):
        with open(marker) as f:
            ok = f.read().split()[:2] == ["gen-corpus", str(n)]
    if ok:
        log(f"[{fmt_n(n)}] reusing {reg}")
        return reg, None
    log(f"[{fmt_n(n)}] generating {reg}")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, GEN, str(n), reg] + (["--replace"] if os.path.exists(reg) else []),
                   check=True, stdout=subprocess.DEVNULL)
    return reg, time.perf_counter() - t0


TITLE = re.compile(r"^title: ([A-Za-z0-9][^\"'#:\n]*)$", re.M)


def edit_target(reg):
    """A Markdown record near the middle whose title line is plain text."""
    files = []
    for dirpath, dirs, names in os.walk(os.path.join(reg, "decisions")):
        dirs.sort()
        files += [os.path.join(dirpath, x) for x in sorted(names) if x.endswith(".md")]
    for path in files[len(files) // 2:] + files[: len(files) // 2]:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if TITLE.search(text.split("\n---", 1)[0]):
            return path, text
    raise SystemExit(f"bench: no record with a plain title line in {reg}")


# ------------------------------------------------------------------ the measurements


def decreg_build(a, reg, out, pdf=False):
    cmd = [a.decreg, "--root", reg, "--today", TODAY, "-v", "build", "--out", out] + ([] if pdf else ["--no-pdf"])
    r = run_timed(cmd)
    r["stages"] = stages(r["stderr"])
    del r["stderr"]
    return r


def decreg_runs(a, n, reg, i, res):
    out = os.path.join(a.work, f"out-{n}")
    rmtree(out)
    cold = decreg_build(a, reg, out)
    noop = decreg_build(a, reg, out)
    path, text = edit_target(reg)
    backup = reg + ".edit-backup.json"
    with open(backup, "w") as f:
        json.dump({"path": path, "text": text}, f)
    edits = []
    try:
        # The first edit after a build from nothing has no earlier output
        # to keep files from; the second starts from the first build's
        # output, as every build after it does.
        for k in (1, 2):
            mark = f" edited {i + 1}.{k}"
            edited = TITLE.sub(lambda m: f"title: {m.group(1)}{mark}", text, count=1)
            with open(path, "w", encoding="utf-8") as f:
                f.write(edited)
            edit = decreg_build(a, reg, out)
            # that the edit was published: the record's page carries the new title
            page = os.path.join(out, "site", "decisions", os.path.splitext(os.path.basename(path))[0], "index.html")
            if os.path.exists(page):
                with open(page, encoding="utf-8", errors="replace") as f:
                    edit["published"] = mark in f.read()
                if not edit["published"]:
                    log(f"  warning: {os.path.relpath(page, a.work)} does not show the edited title")
            edits.append(edit)
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        os.unlink(backup)
    edit_first, edit = edits
    decreg_build(a, reg, out)  # back to the register as generated (not timed)
    moved = moved_runs(a, reg, out, path, text)
    chk = run_timed([a.decreg, "--root", reg, "--today", TODAY, "check", "-q"], check=False)
    if chk["rc"] not in (0,):
        log(f"  decreg check exited {chk['rc']}: {chk['stderr'][-500:]}")
    del chk["stderr"]
    res["cold"].append(cold)
    res["noop"].append(noop)
    res.setdefault("edit_first", []).append(edit_first)
    res["edit"].append(edit)
    res.setdefault("moved", []).append(moved)
    res["check"].append(chk)
    if n >= a.serve_min:
        res.setdefault("serve", []).append(serve_edit(a, reg, i))
    res["edited_file"] = os.path.relpath(path, reg)
    res["site"] = os.path.join(out, "site")
    log(f"  decreg run {i + 1}: cold {fmt_s(cold['wall'])} s ({fmt_mem(cold['rss'])}), "
        f"nothing changed {fmt_s(noop['wall'])} s, one edit {fmt_s(edit['wall'])} s, check {fmt_s(chk['wall'])} s")


MAKER = re.compile(r"^decision_maker: .*$", re.M)


def moved_runs(a, reg, out, path, text):
    """A build after an edit that moves a decision between listings (its
    decision maker), from the output of the build before last."""
    backup = reg + ".edit-backup.json"
    with open(backup, "w") as f:
        json.dump({"path": path, "text": text}, f)
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(MAKER.sub("decision_maker: Cabinet Member for Benchmarks", text, count=1))
        run = decreg_build(a, reg, out)
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        os.unlink(backup)
    decreg_build(a, reg, out)  # back to the register as generated (not timed)
    return run


def serve_edit(a, reg, i):
    """decreg serve on the register, one title edited in place (then put
    back): the seconds from the write until serve shows the edit on the
    record's page, on the page of all decisions that lists it and in
    decisions.json (each asked for as soon as serve says it has the edit,
    and timed until it is all read), and until the build behind it is done
    (the search index comes with it)."""
    import urllib.request
    path, text = edit_target(reg)
    ident = os.path.splitext(os.path.basename(path))[0]
    err = open(os.path.join(a.work, "serve.log"), "w")
    p = subprocess.Popen([a.decreg, "--root", reg, "--today", TODAY, "-v", "serve", "--port", "0"],
                         stdout=subprocess.PIPE, stderr=err, text=True)
    backup = reg + ".edit-backup.json"
    try:
        line = p.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if not found:
            raise SystemExit(f"bench: decreg serve did not start: {line!r}")
        url = found.group(0)
        get = lambda rel: urllib.request.urlopen(url + rel, timeout=120).read().decode("utf-8", "replace")
        version = lambda: get("__decreg/version")
        ids = [row["id"] for row in json.loads(get("decisions.json"))]
        at = ids.index(ident)
        listing = "decisions/" if at < 50 else f"decisions/page/{at // 50 + 1}/"
        with open(backup, "w") as f:
            json.dump({"path": path, "text": text}, f)
        # Not timed: an edit whose build behind is serve's first (after a
        # build from nothing, it has no earlier output to keep files from).
        v0 = version()
        with open(path, "w", encoding="utf-8") as f:
            f.write(TITLE.sub(lambda m: f"title: {m.group(1)} warming {i + 1}", text, count=1))
        while not f"warming {i + 1}" in get(f"decisions/{ident}/") or version() == v0:
            time.sleep(0.05)
        v0 = version()
        while version() == v0:  # the build behind it
            time.sleep(0.05)
        v0 = version()
        import gzip
        stamp = lambda: json.loads(gzip.decompress(urllib.request.urlopen(
            url + "search-index/manifest.bin", timeout=120).read()))["stamp"]
        stamp0 = stamp()
        mark = f" served {i + 1}"
        t0 = time.perf_counter()
        with open(path, "w", encoding="utf-8") as f:
            f.write(TITLE.sub(lambda m: f"title: {m.group(1)}{mark}", text, count=1))
        while (v1 := version()) == v0:
            time.sleep(0.005)
        run = {"told": time.perf_counter() - t0}

        def shown(kind, rel):
            with urllib.request.urlopen(url + rel, timeout=120) as answer:
                run[kind + "_first_byte"] = time.perf_counter() - t0
                shows = mark in answer.read().decode("utf-8", "replace")
            run[kind] = time.perf_counter() - t0 if shows else None
            if not shows:
                log(f"  warning: serve's {rel} does not show the edit once serve says it has it")

        def searched():
            while stamp() == stamp0 and time.perf_counter() - t0 < 60:
                time.sleep(0.02)
            run["search"] = time.perf_counter() - t0

        # asked for at once, as a browser's tabs would
        import threading
        asks = [threading.Thread(target=shown, args=kr) for kr in
                (("page", f"decisions/{ident}/"), ("listing", listing), ("json", "decisions.json"))]
        asks.append(threading.Thread(target=searched))
        for t in asks:
            t.start()
        for t in asks:
            t.join()
        while version() == v1:
            time.sleep(0.02)
        run["built"] = time.perf_counter() - t0
        run["page_after_build"] = mark in get(f"decisions/{ident}/")
        with open(f"/proc/{p.pid}/status") as f:
            status = dict(l.split(":", 1) for l in f.read().splitlines() if ":" in l)
        run["rss"] = int(status["VmRSS"].split()[0]) * 1024
        run["hwm"] = int(status["VmHWM"].split()[0]) * 1024
    finally:
        if os.path.exists(backup):
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            os.unlink(backup)
        p.kill()
        p.wait()
        err.close()
    log(f"  serve run {i + 1}: page {fmt_s(run['page'])} s, listing {fmt_s(run['listing'])} s, "
        f"decisions.json {fmt_s(run['json'])} s (first byte {fmt_s(run['json_first_byte'])} s), "
        f"search index {fmt_s(run['search'])} s, built behind {fmt_s(run['built'])} s")
    return run


def peer_runs(a, n, reg, i, res):
    site = os.path.join(a.work, f"hugo-{n}")
    if i == 0:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, os.path.join(HERE, "to-hugo.py"), reg, site], check=True,
                       stdout=subprocess.DEVNULL)
        res["convert"] = time.perf_counter() - t0
    public = os.path.join(site, "public")
    cache = os.path.join(a.work, f"hugo-cache-{n}")
    for d in (public, os.path.join(site, "resources"), cache):
        rmtree(d)
    hugo = run_timed(["hugo", "--source", site, "--destination", public, "--cacheDir", cache],
                     stdout_file=os.path.join(a.work, f"hugo-{n}.log"))
    pf = run_timed([a.pagefind, "--site", public], stdout_file=os.path.join(a.work, f"pagefind-{n}.log"))
    for r in (hugo, pf):
        del r["stderr"]
    res["hugo"].append(hugo)
    res["pagefind"].append(pf)
    res["site"] = public
    log(f"  peer run {i + 1}: hugo {fmt_s(hugo['wall'])} s ({fmt_mem(hugo['rss'])}), "
        f"pagefind {fmt_s(pf['wall'])} s ({fmt_mem(pf['rss'])})")


def search_bytes(a, site, tag):
    outf = os.path.join(a.work, f"search-{tag}.json")
    cmd = ["node", os.path.join(HERE, "search-bytes.mjs"), "--site", site, "--out", outf]
    for _label, q in QUERIES:
        cmd += ["--query", q]
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        log(f"  search-bytes on {site} failed: {p.stderr[-800:]}")
        return None
    with open(outf) as f:
        d = json.load(f)
    for q in d["queries"]:
        agree = q["total_bytes"] == q["server"]["total_bytes"]
        log(f"  {tag} {q['query']!r}: {q['status']!r}, {fmt_kb(q['total_bytes'])} "
            f"({q['requests']} requests, {q['worker_requests']} from workers; server counted "
            f"{fmt_kb(q['server']['total_bytes'])}{'' if agree else ' — DIFFERENT'})")
    return d["queries"]


def pdf_runs(a):
    reg, _ = register(a.work, 1000)
    out = os.path.join(a.work, "out-pdf-1000")
    res = []
    for i in range(a.runs):
        rmtree(out)
        r = decreg_build(a, reg, out, pdf=True)
        reports = os.path.join(out, "reports")
        r["pdfs"] = len([x for x in os.listdir(reports) if x.endswith(".pdf")]) if os.path.isdir(reports) else 0
        pdf_stage = sum(s for name, s in r["stages"] if category(name) == "PDFs")
        r["pdf_stage"] = pdf_stage or None
        res.append(r)
        log(f"  PDF run {i + 1}: {r['pdfs']} reports in {fmt_s(r['wall'])} s ({r['pdfs'] / r['wall']:.1f}/s), "
            f"PDF stage {fmt_s(pdf_stage)} s, {fmt_mem(r['rss'])}")
    return res


# ------------------------------------------------------------------ the report


def versions(a):
    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, cwd=REPO).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"
    commit = out(["git", "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                           text=True, cwd=REPO).stdout.strip()
    hugo = re.sub(r"\+.*", "", out(["hugo", "version"]).split()[1]) if shutil.which("hugo") else "?"
    pf = out([a.pagefind, "--version"]) if a.pagefind else "?"
    chromium = out(["/usr/bin/chromium", "--version"]) if os.path.exists("/usr/bin/chromium") else "?"
    return {"decreg": commit + (" (uncommitted changes)" if dirty else ""), "hugo": hugo, "pagefind": pf,
            "chromium": chromium, "load": os.getloadavg(), "cores": os.cpu_count(),
            "memory": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")}


def report(a, env, sizes, results, pdf):
    L = []
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    L.append("# decreg benchmark")
    L.append("")
    L.append(f"{now} · decreg {env['decreg']} · Hugo {env['hugo']} · {env['pagefind']} · {env['chromium']} · "
             f"{env['cores']} cores, {env['memory'] / GIB:.0f} GiB · load average at start "
             f"{env['load'][0]:.2f} · {a.runs} run{'s' if a.runs != 1 else ''}, medians")
    L.append("")
    L.append("## Builds (seconds, medians)")
    L.append("")
    L.append("decreg: `build --no-pdf` into an empty folder; its stages from `-v`. Hugo: pages and writing "
             "together (under pages); Pagefind: the search index. Peak memory: the largest process's "
             "maximum resident set size.")
    L.append("")
    L.append("| records | build | " + " | ".join(CATEGORIES) + " | total (wall) | peak memory | output |")
    L.append("|---:|---|" + "---:|" * len(CATEGORIES) + "---:|---:|---:|")
    for n in sizes:
        r = results[n]
        d = r["decreg"]

        def stage_cells(runs):
            cats = [by_category(x["stages"]) for x in runs]
            return [fmt_s(med([c.get(k) for c in cats])) for k in CATEGORIES]

        cold_wall = med([x["wall"] for x in d["cold"]])
        cold_rss = med([x["rss"] for x in d["cold"]])
        size, files = r["decreg_output"]
        row = lambda name, cells, wall, rss, outp: L.append(
            f"| {fmt_n(n)} | {name} | " + " | ".join(cells) + f" | {wall} | {rss} | {outp} |")
        row("decreg", stage_cells(d["cold"]), fmt_s(cold_wall), fmt_mem(cold_rss), f"{fmt_mb(size)}, {fmt_n(files)} files")
        p = r.get("peer")
        if p and p.get("hugo"):
            hw = med([x["wall"] for x in p["hugo"]])
            pw = med([x["wall"] for x in p["pagefind"]])
            tw = med([h["wall"] + f["wall"] for h, f in zip(p["hugo"], p["pagefind"])])
            hr = med([x["rss"] for x in p["hugo"]])
            pr = med([x["rss"] for x in p["pagefind"]])
            tr = med([max(h["rss"], f["rss"]) for h, f in zip(p["hugo"], p["pagefind"])])
            psize, pfiles = p["output"]
            empty = ["–"] * len(CATEGORIES)
            hc = list(empty); hc[1] = fmt_s(hw)
            pc = list(empty); pc[2] = fmt_s(pw)
            tc = list(empty); tc[1] = fmt_s(hw); tc[2] = fmt_s(pw)
            row("Hugo", hc, fmt_s(hw), fmt_mem(hr), "")
            row("Pagefind", pc, fmt_s(pw), fmt_mem(pr), "")
            row("Hugo + Pagefind", tc, fmt_s(tw), fmt_mem(tr), f"{fmt_mb(psize)}, {fmt_n(pfiles)} files")
            dc = [by_category(x["stages"]) for x in d["cold"]]
            rc = list(empty)
            rc[1] = fmt_r(ratio(med([c.get("pages", 0) + c.get("write", 0) for c in dc]), hw)) + " ¹"
            rc[2] = fmt_r(ratio(med([c.get("search index") for c in dc]), pw))
            r["ratio"] = ratio(cold_wall, tw)
            row("**ratio decreg / (Hugo + Pagefind)**", rc, f"**{fmt_r(r['ratio'])}**", fmt_r(ratio(cold_rss, tr)),
                fmt_r(ratio(size, psize)))
            L.append(f"| {fmt_n(n)} | to-hugo.py (not counted) | " + " | ".join(["–"] * len(CATEGORIES))
                     + f" | {fmt_s(p['convert'])} | | |")
        else:
            L.append(f"| {fmt_n(n)} | Hugo + Pagefind | not run: {r['peer_note']} |" + " |" * (len(CATEGORIES) + 2))
        row("decreg, nothing changed", stage_cells(d["noop"]), fmt_s(med([x["wall"] for x in d["noop"]])),
            fmt_mem(med([x["rss"] for x in d["noop"]])), "")
        row("decreg, one title edited", stage_cells(d["edit"]), fmt_s(med([x["wall"] for x in d["edit"]])),
            fmt_mem(med([x["rss"] for x in d["edit"]])), "")
        for kind, label in (("edit_first", "decreg, one title edited, first build after one from nothing"),
                            ("moved", "decreg, one decision moved")):
            if d.get(kind):
                row(label, stage_cells(d[kind]), fmt_s(med([x["wall"] for x in d[kind]])),
                    fmt_mem(med([x["rss"] for x in d[kind]])), "")
        row("decreg check", ["–"] * len(CATEGORIES), fmt_s(med([x["wall"] for x in d["check"]])),
            fmt_mem(med([x["rss"] for x in d["check"]])), "")
        sv = d.get("serve")
        if sv:
            shown = lambda k: fmt_s(med([x[k] for x in sv])) if all(x[k] is not None for x in sv) else "not shown"
            L.append(f"| {fmt_n(n)} | decreg serve, one title edited: shown on its page {shown('page')} s, "
                     f"its listing page {shown('listing')} s, decisions.json {shown('json')} s, search index "
                     f"{fmt_s(med([x['search'] for x in sv]))} s; built behind "
                     f"{fmt_s(med([x['built'] for x in sv]))} s |" + " |" * (len(CATEGORIES) + 1)
                     + f" {fmt_mem(med([x['hwm'] for x in sv]))} | |")
    L.append("")
    if any(results[n].get("ratio") is not None for n in sizes):
        L.append("¹ decreg's pages and write stages against the whole of Hugo.")
        L.append("")

    L.append("## decreg's stages as printed (seconds, medians)")
    L.append("")
    L.append("| records | stage | counted as | from nothing | nothing changed | one title edited "
             "| one decision moved (from the build before last) |")
    L.append("|---:|---|---|---:|---:|---:|---:|")
    kinds = ("cold", "noop", "edit", "moved")
    for n in sizes:
        d = results[n]["decreg"]
        names = []
        for kind in kinds:
            for x in d.get(kind, []):
                for name, _s in x["stages"]:
                    if name not in names:
                        names.append(name)
        for name in names:
            cells = []
            for kind in kinds:
                cells.append(fmt_s(med([sum(s for nm, s in x["stages"] if nm == name) if any(nm == name for nm, _ in x["stages"]) else None
                                        for x in d.get(kind, [])])))
            L.append(f"| {fmt_n(n)} | {name} | {category(name)} | " + " | ".join(cells) + " |")
    L.append("")

    if not a.no_browser:
        L.append("## First search query (bytes, headless Chromium, nothing cached)")
        L.append("")
        L.append("Every response, the page's and its web workers', headers and body (no compression). "
                 "Page load: the search page's HTML and CSS; search: scripts, index and results (20 shown). "
                 "KB = 1,000 bytes.")
        L.append("")
        L.append("| records | site | query | page load | search | total | requests (from workers) | results | shown after |")
        L.append("|---:|---|---|---:|---:|---:|---:|---|---:|")
        for n in sizes:
            for tag, label in (("decreg", "decreg"), ("peer", "Hugo + Pagefind")):
                qs = results[n].get("search", {}).get(tag)
                if qs is None:
                    note = results[n].get("search_note", {}).get(tag, "not measured")
                    L.append(f"| {fmt_n(n)} | {label} | – | {note} | | | | | |")
                    continue
                for (qlabel, _q), q in zip(QUERIES, qs):
                    flag = "" if q["total_bytes"] == q["server"]["total_bytes"] else \
                        f" (server: {fmt_kb(q['server']['total_bytes'])})"
                    wasm = ", the wasm among them" if q.get("wasm_from_worker") else ""
                    m = re.match(r"\s*([0-9][0-9,]*) decisions? found", q["status"])
                    shown = f"{m.group(1)} found" if m else q["status"][:30]
                    L.append(f"| {fmt_n(n)} | {label} | {q['query']} ({qlabel}) | {fmt_kb(q['page_bytes'])} | "
                             f"{fmt_kb(q['search_bytes'])} | **{fmt_kb(q['total_bytes'])}**{flag} | "
                             f"{q['requests']} ({q['worker_requests']}{wasm}) | "
                             f"{shown if q['ok'] else 'NOT DONE: ' + q['status'][:30]} | {q['ms']} ms |")
        L.append("")

    if pdf:
        L.append("## PDFs (1,000 records, decreg build with PDFs, empty output folder)")
        L.append("")
        wall = med([x["wall"] for x in pdf])
        stage = med([x["pdf_stage"] for x in pdf])
        npdf = med([x["pdfs"] for x in pdf])
        L.append("| reports | whole build (wall) | reports/s, whole build | PDF stage | reports/s, PDF stage | peak memory |")
        L.append("|---:|---:|---:|---:|---:|---:|")
        L.append(f"| {int(npdf)} | {fmt_s(wall)} s | **{npdf / wall:.1f}** | {fmt_s(stage)} s | "
                 f"{'–' if not stage else f'{npdf / stage:.1f}'} | {fmt_mem(med([x['rss'] for x in pdf]))} |")
        L.append("")

    L.append("## Goals")
    L.append("")
    L.append("| goal | measured | verdict |")
    L.append("|---|---|---|")
    for goal, measured, met in goals(a, sizes, results, pdf):
        verdict = "–" if met is None else ("goal met" if met else "**not met**")
        L.append(f"| {goal} | {measured} | {verdict} |")
    L.append("")
    return "\n".join(L)


def goals(a, sizes, results, pdf):
    def at(n, why=None):
        if n not in results:
            return None, f"not measured: {fmt_n(n)} not in --sizes"
        return results[n], None

    out = []
    for n in (10000, 50000):
        r, note = at(n)
        g = f"build --no-pdf ≤ 0.5× Hugo + Pagefind at {fmt_n(n)}"
        if r is None:
            out.append((g, note, None))
        elif r.get("ratio") is None:
            out.append((g, f"peer not run: {r.get('peer_note')}", None))
        else:
            out.append((g, fmt_r(r["ratio"]), r["ratio"] <= 0.5))
    r, note = at(100000)
    if r is None:
        out += [("100,000 records built (--no-pdf) in < 60 s", note, None),
                ("… with peak memory < 1 GiB", note, None),
                ("rebuild with nothing changed < 1 s at 100,000", note, None),
                ("one edited record rebuilt < 0.5 s at 100,000", note, None)]
    else:
        d = r["decreg"]
        w = med([x["wall"] for x in d["cold"]])
        m = med([x["rss"] for x in d["cold"]])
        nc = med([x["wall"] for x in d["noop"]])
        ed = med([x["wall"] for x in d["edit"]])
        out += [("100,000 records built (--no-pdf) in < 60 s", f"{fmt_s(w)} s", w < 60),
                ("… with peak memory < 1 GiB", fmt_mem(m), m < GIB),
                ("rebuild with nothing changed < 1 s at 100,000", f"{fmt_s(nc)} s", nc < 1),
                ("one edited record rebuilt < 0.5 s at 100,000 (decreg build)", f"{fmt_s(ed)} s", ed < 0.5)]
        sv = d.get("serve")
        g = "one edited record's page, listing and open data shown by serve < 0.5 s at 100,000"
        gs = "… and its search entries"
        if not sv:
            out += [(g, "not measured", None), (gs, "not measured", None)]
        elif any(x[k] is None for x in sv for k in ("page", "listing", "json")):
            out += [(g, "serve did not show the edit", False), (gs, "–", None)]
        else:
            page, listing = med([x["page"] for x in sv]), med([x["listing"] for x in sv])
            first, whole = med([x["json_first_byte"] for x in sv]), med([x["json"] for x in sv])
            worst = max(page, listing, first)
            out.append((g, f"page {fmt_s(page)} s, listing {fmt_s(listing)} s, decisions.json's first byte "
                        f"{fmt_s(first)} s (read whole, 98 MB: {fmt_s(whole)} s)", worst < 0.5))
            found = med([x["search"] for x in sv])
            out.append((gs, f"{fmt_s(found)} s (the build behind: {fmt_s(med([x['built'] for x in sv]))} s)",
                        found < 0.5))
    g = "PDFs ≥ 60 reports/s over 1,000 records (whole build, empty output)"
    if pdf:
        rate = med([x["pdfs"] for x in pdf]) / med([x["wall"] for x in pdf])
        out.append((g, f"{rate:.1f} reports/s", rate >= 60))
    else:
        out.append((g, "not measured: --no-pdf", None))
    r, note = at(10000)
    g = "decreg check of 10,000 < 1 s"
    if r is None:
        out.append((g, note, None))
    else:
        c = med([x["wall"] for x in r["decreg"]["check"]])
        out.append((g, f"{fmt_s(c)} s", c < 1))
    r, note = at(100000)
    for i, (qlabel, q) in enumerate(QUERIES):
        g = f"first search ≤ 150 KB at 100,000 (“{q}”, {qlabel}; page load + search)"
        if a.no_browser:
            out.append((g, "not measured: --no-browser", None))
        elif r is None:
            out.append((g, note, None))
        elif not r.get("search", {}).get("decreg"):
            out.append((g, "not measured: the browser run failed", None))
        else:
            b = r["search"]["decreg"][i]["total_bytes"]
            out.append((g, fmt_kb(b), b <= 150_000))
    return out


# ------------------------------------------------------------------ main


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--decreg", required=True)
    ap.add_argument("--npm", required=True, help="the folder where scripts/bench installed package.json")
    ap.add_argument("--work", required=True)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--peer-max", type=int, default=50000)
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--no-pdf", action="store_true")
    ap.add_argument("--serve-min", type=int, default=100000,
                    help="the smallest register decreg serve's edit is measured on")
    a = ap.parse_args()
    a.work = os.path.abspath(a.work)
    a.decreg = os.path.abspath(a.decreg)
    sizes = sorted({int(x.replace("_", "")) for x in a.sizes.split(",") if x.strip()})
    if not sizes or a.runs < 1:
        ap.error("--sizes needs at least one size and --runs at least 1")
    a.pagefind = None
    if not a.no_peer:
        for name in ("pagefind_extended", "pagefind"):  # the order the npm wrapper tries
            base = os.path.join(a.npm, "node_modules", "@pagefind")
            for plat in sorted(os.listdir(base)) if os.path.isdir(base) else []:
                cand = os.path.join(base, plat, "bin", name)
                if a.pagefind is None and os.access(cand, os.X_OK):
                    a.pagefind = cand
        if a.pagefind is None:
            raise SystemExit(f"bench: no Pagefind binary under {a.npm}/node_modules/@pagefind/")
    os.makedirs(a.work, exist_ok=True)
    global TRASH
    TRASH = os.path.join(a.work, "trash")
    empty_trash(settle=True)
    env = versions(a)
    log(f"bench: sizes {', '.join(map(fmt_n, sizes))}; {a.runs} runs; work dir {a.work}")
    results = {}
    for n in sizes:
        reg, gen = register(a.work, n)
        r = results[n] = {"gen": gen, "decreg": {"cold": [], "noop": [], "edit": [], "check": []},
                          "search": {}, "search_note": {}}
        peer = None
        if a.no_peer:
            r["peer_note"] = "--no-peer"
        elif n > a.peer_max:
            r["peer_note"] = f"> peer-max ({fmt_n(a.peer_max)})"
        else:
            peer = r["peer"] = {"hugo": [], "pagefind": []}
        for i in range(a.runs):
            decreg_runs(a, n, reg, i, r["decreg"])
            if peer is not None:
                peer_runs(a, n, reg, i, peer)
        r["decreg_output"] = tree_size(r["decreg"]["site"])
        if peer is not None:
            peer["output"] = tree_size(peer["site"])
        if not a.no_browser:
            r["search"]["decreg"] = search_bytes(a, r["decreg"]["site"], f"decreg-{n}")
            if peer is not None:
                r["search"]["peer"] = search_bytes(a, peer["site"], f"peer-{n}")
            else:
                r["search_note"]["peer"] = f"not run: {r['peer_note']}"
    pdf = None
    if not a.no_pdf:
        log("[PDFs] 1,000 records")
        pdf = pdf_runs(a)
    text = report(a, env, sizes, results, pdf)
    with open(os.path.join(a.work, "results.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(a.work, "results.json"), "w") as f:
        json.dump({"env": env, "sizes": sizes, "results": {str(k): v for k, v in results.items()}, "pdf": pdf},
                  f, indent=1, default=str)
    print(text)
    log(f"bench: saved {os.path.join(a.work, 'results.md')} and results.json")
    empty_trash(settle=False)


if __name__ == "__main__":
    main()
