#!/usr/bin/env node
// Asks a site's search the queries of a relevance set (make-queries.py) in
// headless Chromium, as a member of the public would, and counts how often
// the decision meant comes first (top-1) and among the first five (top-5).
//
// usage: node tests/relevance/run.mjs --site DIR --queries FILE
//          [--engine decreg|pagefind] [--out FILE.json] [--floors FILE.json]
//          [--misses N]
//
// decreg: opens /search/?q=QUERY and reads the results list, as shown.
// pagefind: a Hugo + Pagefind site (scripts/bench-peer): its JavaScript API,
// pagefind.search(QUERY), in a page of the site; a result's URL
// /decisions/<id>/ names the decision.
// --floors: {"kind": {"top1": share, "top5": share}, ...}; the run fails
// (exit 1) when a kind falls below its floor. --misses N prints the first N
// queries of each kind whose decision did not come first.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(HERE, '..', 'browser', 'package.json'));
const CHROMIUM = process.env.DECREG_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const KINDS = ['exact', 'exact-year', 'words', 'area-topic'];

function parseArgs(argv) {
  const o = { site: null, queries: null, engine: 'decreg', out: null, floors: null, misses: 0 };
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i];
    const a = argv[i];
    if (a === '--site') o.site = v();
    else if (a === '--queries') o.queries = v();
    else if (a === '--engine') o.engine = v();
    else if (a === '--out') o.out = v();
    else if (a === '--floors') o.floors = v();
    else if (a === '--misses') o.misses = Number(v());
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.site || !o.queries || !['decreg', 'pagefind'].includes(o.engine)) {
    throw new Error('usage: run.mjs --site DIR --queries FILE [--engine decreg|pagefind] [--out FILE] [--floors FILE]');
  }
  return o;
}

const MIME = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript',
  '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml' };

function serve(root) {
  const server = http.createServer((req, res) => {
    let rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = path.join(root, path.normalize(rel));
    if (!file.startsWith(root)) file = '';
    if (file && fs.statSync(file, { throwIfNoEntry: false })?.isDirectory()) file = path.join(file, 'index.html');
    if (!file || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': MIME[path.extname(file)] || 'application/octet-stream' });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const idOf = (url) => (url.match(/\/decisions\/([^/?#]+)\/?/) || [])[1] || null;

// The ids of the first five results of decreg's search page for each query.
async function askDecreg(page, origin, queries) {
  const found = [];
  for (const q of queries) {
    await page.goto(`${origin}/search/?q=${encodeURIComponent(q.query)}`);
    // the count shows before the results do: wait for the list itself
    await page.waitForFunction(() => document.querySelector('#search-results li')
      || /No decisions/.test(document.querySelector('#search-status')?.textContent || ''), null, { timeout: 30_000 });
    const hrefs = await page.$$eval('#search-results li a', (as) => as.map((a) => a.getAttribute('href')));
    found.push([...new Set(hrefs.map(idOf).filter(Boolean))].slice(0, 5));
  }
  return found;
}

// The same through Pagefind's JavaScript API, all queries in one page.
async function askPagefind(page, origin, queries) {
  await page.goto(`${origin}/`);
  return page.evaluate(async (qs) => {
    const pagefind = await import('/pagefind/pagefind.js');
    await pagefind.init();
    const out = [];
    for (const q of qs) {
      const r = await pagefind.search(q);
      const data = await Promise.all(r.results.slice(0, 5).map((x) => x.data()));
      out.push(data.map((d) => (d.url.match(/\/decisions\/([^/?#]+)\/?/) || [])[1]).filter(Boolean));
    }
    return out;
  }, queries.map((q) => q.query));
}

function score(queries, found) {
  const by = {};
  for (const kind of KINDS) by[kind] = { n: 0, top1: 0, top5: 0, misses: [] };
  queries.forEach((q, i) => {
    const k = by[q.kind];
    const at = found[i].indexOf(q.id);
    k.n++;
    if (at === 0) k.top1++;
    if (at >= 0) k.top5++;
    if (at !== 0) k.misses.push({ query: q.query, meant: q.id, got: found[i] });
  });
  return by;
}

const pct = (x, n) => (n ? `${((100 * x) / n).toFixed(0)}%` : '-');

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const set = JSON.parse(fs.readFileSync(o.queries, 'utf8'));
  const queries = set.queries;
  const root = fs.realpathSync(o.site);
  const server = await serve(root);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const { chromium } = require('playwright-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'decreg-relevance-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  let found;
  try {
    const page = await context.newPage();
    found = o.engine === 'decreg' ? await askDecreg(page, origin, queries) : await askPagefind(page, origin, queries);
  } finally {
    await context.close();
    server.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  const by = score(queries, found);
  const floors = o.floors ? JSON.parse(fs.readFileSync(o.floors, 'utf8')) : {};
  let below = 0;
  console.log(`${o.engine} on ${queries.length} queries (${path.basename(o.queries)}, seed ${set.seed})`);
  console.log('| kind | queries | top-1 | top-5 |');
  console.log('|---|---|---|---|');
  for (const kind of KINDS) {
    const k = by[kind];
    const floor = floors[kind] || {};
    const low = (floor.top1 !== undefined && k.top1 / k.n < floor.top1) || (floor.top5 !== undefined && k.top5 / k.n < floor.top5);
    if (low) below++;
    const f = floor.top1 !== undefined ? ` (floor ${pct(floor.top1, 1)} / ${pct(floor.top5, 1)})` : '';
    console.log(`| ${kind} | ${k.n} | ${pct(k.top1, k.n)} | ${pct(k.top5, k.n)} |${f}${low ? ' BELOW THE FLOOR' : ''}`);
  }
  const all = Object.values(by).reduce((a, k) => ({ n: a.n + k.n, top1: a.top1 + k.top1, top5: a.top5 + k.top5 }), { n: 0, top1: 0, top5: 0 });
  console.log(`| all | ${all.n} | ${pct(all.top1, all.n)} | ${pct(all.top5, all.n)} |`);
  if (o.misses) {
    for (const kind of KINDS) {
      for (const m of by[kind].misses.slice(0, o.misses)) {
        console.log(`miss [${kind}] ${JSON.stringify(m.query)}: meant ${m.meant}; got ${m.got.slice(0, 3).join(', ') || 'nothing'}`);
      }
    }
  }
  if (o.out) fs.writeFileSync(o.out, JSON.stringify({ engine: o.engine, by, found }, null, 1));
  process.exit(below ? 1 : 0);
}

main().catch((e) => {
  console.error(`relevance: ${e.stack || e}`);
  process.exit(2);
});
