#!/usr/bin/env node
// The bytes a first search fetches, in real headless Chromium (Debian's).
//
// usage: node scripts/bench-peer/search-bytes.mjs --site DIR [--page /search/]
//          --query Q [--query Q]... [--out FILE.json]
//
// Serves DIR on 127.0.0.1 (a random port; plain files, no compression, so a
// response's bytes are its file's size plus its headers). For each query it
// starts Chromium afresh (a new --user-data-dir: nothing cached), opens
// PAGE?q=QUERY, waits (20 s at most) for #search-status to say "found" or
// "No decisions", then for the network to be quiet for 500 ms.
//
// It speaks the DevTools protocol itself, over --remote-debugging-pipe:
// Target.setAutoAttach {flatten: true} on the page, and Network.enable on
// every session that attaches (Pagefind's web worker, which fetches its wasm
// and index), so a worker's traffic is counted like the page's. A request's
// bytes are Network.loadingFinished's encodedDataLength (headers and body as
// received), except for a worker's own script, whose body Chromium reports
// as 0 encoded bytes (Playwright's request sizes show the same 0): there the
// headers plus the bytes of its data events. The server counts what
// it sent too, and both are in the JSON: they must agree. "page" is the
// search page's own load (HTML, CSS, fonts, images); "search" is the rest
// (scripts, index, results). A /favicon.ico the browser asks for on its own
// is answered with an empty 404 and left out.
//
// Prints one JSON object (and writes it to --out): per query the totals,
// the server's totals, and every request (url, type, bytes, from: page or
// worker).

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';

const CHROMIUM = process.env.DECREG_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const DONE = /found|No decisions/;
const WAIT_MS = 20_000;
const QUIET_MS = 500;

function parseArgs(argv) {
  const o = { site: null, page: '/search/', queries: [], out: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--site') o.site = v();
    else if (a === '--page') o.page = v();
    else if (a === '--query') o.queries.push(v());
    else if (a === '--out') o.out = v();
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.site || o.queries.length === 0) {
    throw new Error('usage: search-bytes.mjs --site DIR [--page /search/] --query Q... [--out FILE]');
  }
  return o;
}

const MIME = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.xml': 'application/xml',
};
const PAGE_TYPES = new Set(['document', 'stylesheet', 'font', 'image']);
const pageByMime = (t) => /^(text\/html|text\/css|font\/|image\/)/.test(t);

// A static file server that counts the bytes it writes for each response.
function startServer(root) {
  const rootReal = fs.realpathSync(root);
  const log = [];
  const server = http.createServer((req, res) => {
    const sock = req.socket;
    const start = sock.bytesWritten;
    const url = new URL(req.url, 'http://127.0.0.1');
    let type = 'application/octet-stream';
    res.on('finish', () => {
      // bytesWritten counts what was handed to the socket: headers and body
      setImmediate(() => log.push({ path: url.pathname + url.search, type, bytes: sock.bytesWritten - start, status: res.statusCode, referer: req.headers.referer || "" }));
    });
    const send = (status, body, extra = {}) => {
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': 'no-store', ...extra });
      res.end(body);
    };
    let rel;
    try { rel = decodeURIComponent(url.pathname); } catch { return send(400, Buffer.alloc(0)); }
    let file = path.join(rootReal, path.normalize(rel));
    if (file !== rootReal && !file.startsWith(rootReal + path.sep)) return send(404, Buffer.alloc(0));
    let st = fs.statSync(file, { throwIfNoEntry: false });
    if (st && st.isDirectory()) {
      if (!url.pathname.endsWith('/')) return send(301, Buffer.alloc(0), { Location: url.pathname + '/' + url.search });
      file = path.join(file, 'index.html');
      st = fs.statSync(file, { throwIfNoEntry: false });
    }
    if (!st || !st.isFile()) return send(404, Buffer.alloc(0));
    type = MIME[path.extname(file).toLowerCase()] || 'application/octet-stream';
    send(200, fs.readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${server.address().port}`, log }));
  });
}

const sum = (xs) => xs.reduce((n, x) => n + x.bytes, 0);

// A Chrome DevTools Protocol client over --remote-debugging-pipe: messages
// are JSON, each ended by a NUL byte; Chromium reads fd 3 and writes fd 4.
function launch(profile) {
  const child = spawn(CHROMIUM, [...CHROMIUM_ARGS, `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  child.stderr.on('data', () => {});
  const toBrowser = child.stdio[3];
  const fromBrowser = child.stdio[4];
  let nextId = 1;
  const pending = new Map();
  const listeners = [];
  let buf = Buffer.alloc(0);
  fromBrowser.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    let end;
    while ((end = buf.indexOf(0)) >= 0) {
      const msg = JSON.parse(buf.subarray(0, end).toString('utf8'));
      buf = buf.subarray(end + 1);
      if (msg.id && pending.has(msg.id)) {
        const { resolve, reject, method } = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) reject(new Error(`${method}: ${msg.error.message}`));
        else resolve(msg.result);
      } else if (msg.method) {
        for (const l of listeners) l(msg.method, msg.params, msg.sessionId);
      }
    }
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    send(method, params = {}, sessionId = undefined) {
      const id = nextId++;
      const msg = { id, method, params };
      if (sessionId) msg.sessionId = sessionId;
      toBrowser.write(JSON.stringify(msg) + '\0');
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject, method }));
    },
    on(fn) { listeners.push(fn); },
    async close() {
      this.send('Browser.close').catch(() => {});
      const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    },
  };
}

async function measure(origin, serverLog, pagePath, query) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-chromium-'));
  const cdp = launch(profile);
  const reqs = new Map(); // requestId -> entry
  const sessions = new Map(); // sessionId -> target type and url
  const errors = [];
  let lastActivity = Date.now();
  cdp.on((method, p, sessionId) => {
    // A request id is the browser's, shared by every session: a worker's own
    // script is asked for in the page's session and arrives in the worker's.
    const key = p?.requestId;
    if (method === 'Target.attachedToTarget') {
      // a worker (or frame) of the page: count its traffic too, then let it run
      const s = p.sessionId;
      sessions.set(s, { type: p.targetInfo.type, url: p.targetInfo.url });
      Promise.all([
        cdp.send('Network.enable', {}, s),
        cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true }, s),
      ]).catch((e) => errors.push(`attach ${p.targetInfo.type}: ${e.message}`))
        .finally(() => cdp.send('Runtime.runIfWaitingForDebugger', {}, s).catch(() => {}));
      return;
    }
    if (!method.startsWith('Network.') || !key) return;
    lastActivity = Date.now();
    if (!reqs.has(key)) {
      reqs.set(key, { url: '', type: 'Other', session: null, done: false, finished: 0, headers: 0, body: 0, decoded: 0 });
    }
    const r = reqs.get(key);
    if (method === 'Network.requestWillBeSent') {
      if (!r.url) { r.url = p.request.url; r.type = p.type || r.type; r.session = sessionId; }
    } else if (method === 'Network.responseReceived') {
      r.type = p.type || r.type; r.status = p.response.status;
      if (!r.url) r.url = p.response.url;
    } else if (method === 'Network.responseReceivedExtraInfo') {
      r.headers = Buffer.byteLength(p.headersText || '');
    } else if (method === 'Network.dataReceived') {
      r.body += p.encodedDataLength; r.decoded += p.dataLength;
    } else if (method === 'Network.loadingFinished') {
      r.done = true; r.finished = p.encodedDataLength;
    } else if (method === 'Network.loadingFailed') {
      r.done = true; r.failed = p.errorText;
      errors.push(`failed: ${r.url}: ${p.errorText}`);
    }
  });
  // A request's bytes: what loadingFinished says was received (headers and
  // body), except where Chromium counts a body as 0 encoded bytes (a worker's
  // own script): then its headers and the bytes its data events carried.
  const bytesOf = (r) => Math.max(r.finished, r.headers + (r.body || r.decoded));
  try {
    const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId: page } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
    sessions.set(page, { type: 'page', url: '' });
    await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true }, page);
    await cdp.send('Network.enable', {}, page);
    await cdp.send('Page.enable', {}, page);
    await cdp.send('Runtime.enable', {}, page);
    cdp.on((method, p, sessionId) => {
      if (method === 'Runtime.exceptionThrown' && sessionId === page) errors.push(`page error: ${p.exceptionDetails?.exception?.description || p.exceptionDetails?.text}`);
    });
    serverLog.length = 0;
    reqs.clear();
    const url = `${origin}${pagePath}?q=${encodeURIComponent(query).replace(/%20/g, '+')}`;
    const t0 = Date.now();
    await cdp.send('Page.navigate', { url }, page);
    const probe = async () => (await cdp.send('Runtime.evaluate', {
      expression: `JSON.stringify([document.querySelector('#search-status')?.textContent || '', document.querySelectorAll('#search-results > li').length])`,
      returnByValue: true,
    }, page)).result.value;
    let status = '';
    let results = 0;
    let ok = false;
    while (Date.now() - t0 < WAIT_MS) {
      try { [status, results] = JSON.parse(await probe()); } catch { /* navigating */ }
      if (DONE.test(status)) { ok = true; break; }
      await new Promise((r) => setTimeout(r, 50));
    }
    const ms = Date.now() - t0;
    const quietBy = Date.now() + 5_000;
    const inflight = () => [...reqs.values()].some((r) => r.url.startsWith('http') && !r.done);
    while (Date.now() < quietBy && (inflight() || Date.now() - lastActivity < QUIET_MS)) {
      await new Promise((r) => setTimeout(r, 50));
    }
    try { [status, results] = JSON.parse(await probe()); } catch { /* keep the last */ }
    await new Promise((r) => setTimeout(r, 100)); // the server's 'finish' callbacks
    const counted = [...reqs.values()]
      .filter((r) => r.url.startsWith(origin + '/') && !r.url.startsWith(origin + '/favicon.ico'))
      .map((r) => ({
        url: r.url.slice(origin.length), type: r.type, bytes: bytesOf(r), status: r.status,
        from: sessions.get(r.session)?.type || '?',
      }));
    const served = serverLog.filter((r) => !r.path.startsWith('/favicon.ico'));
    const pageReq = counted.filter((r) => PAGE_TYPES.has(r.type.toLowerCase()));
    const searchReq = counted.filter((r) => !PAGE_TYPES.has(r.type.toLowerCase()));
    const fromWorkers = counted.filter((r) => r.from !== 'page');
    return {
      query, ok, status: status.trim(), results, ms,
      page_bytes: sum(pageReq), search_bytes: sum(searchReq), total_bytes: sum(counted),
      requests: counted.length, worker_requests: fromWorkers.length, worker_bytes: sum(fromWorkers),
      workers: [...sessions.values()].filter((s) => s.type !== 'page').map((s) => s.url.replace(origin, '')),
      wasm_from_worker: fromWorkers.some((r) => /wasm/i.test(r.url)),
      server: {
        page_bytes: sum(served.filter((r) => pageByMime(r.type))),
        search_bytes: sum(served.filter((r) => !pageByMime(r.type))),
        total_bytes: sum(served), requests: served.length,
      },
      errors, list: counted, served,
    };
  } finally {
    await cdp.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const { server, origin, log } = await startServer(o.site);
  const out = { site: o.site, page: o.page, queries: [] };
  try {
    for (const q of o.queries) out.queries.push(await measure(origin, log, o.page, q));
  } finally {
    server.close();
  }
  const text = JSON.stringify(out, null, 1);
  if (o.out) fs.writeFileSync(o.out, text + '\n');
  process.stdout.write(text + '\n');
}

main().catch((e) => { process.stderr.write(`search-bytes: ${e.stack || e}\n`); process.exit(2); });
