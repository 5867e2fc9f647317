#!/usr/bin/env node
// Browser checks for a static site (the one `decreg` renders into output/site/).
//
// usage: node tests/browser/check-site.mjs --site DIR [--pages FILE]
//          [--search "phrase=>/decisions/<id>/"]... [--shots DIR]
//          [--canary STRING]... [--timeout SECONDS]
//        node tests/browser/check-site.mjs --site DIR --serve   (just serve it)
//
// Serves DIR on 127.0.0.1 (random port), loads each page in headless Debian
// Chromium and checks it with axe-core (WCAG 2.0/2.1 A+AA, 2.2 AA), fails on
// requests to any other host, JavaScript dialogs, console errors and uncaught
// page errors; takes screenshots; checks search queries; greps every file
// (gunzipped where compressed) for canary strings; runs the Nu HTML checker
// (vnu.jar) over every .html file. Ends with a line "N passed, M failed" and
// exits 1 on any failure (2 on a usage error).
//
// Set up with tests/browser/install.sh (Debian chromium + npm ci).

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

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
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const NAV_TIMEOUT_MS = 30_000;
const SEARCH_LINK_TIMEOUT_MS = 10_000;
const SHOT_TIMEOUT_MS = 60_000;
const VNU_TIMEOUT_MS = 10 * 60_000;

const USAGE = `usage: node tests/browser/check-site.mjs --site DIR [--pages FILE]
         [--search "phrase=>/decisions/<id>/"]... [--shots DIR]
         [--canary STRING]... [--timeout SECONDS]

  --site DIR      the static site to serve and check (required)
  --pages FILE    URL paths to check, one a line ('#' starts a comment); default: /
  --search P=>U   open /search/?q=P and wait up to 10 s for a link to U (repeatable)
  --shots DIR     write full-page screenshots (1280 wide; / also 390 wide) here
  --canary S      fail if any file under DIR (gunzipped too) contains S (repeatable)
  --timeout SEC   overall time limit (default 900)
  --serve         only serve DIR on 127.0.0.1 and print its address (for a look; Ctrl-C ends)`;

// ---------------------------------------------------------------- arguments

function usageError(msg) {
  process.stderr.write(`check-site: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { site: null, pages: null, searches: [], shots: null, canaries: [], timeout: 900 };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const take = () => {
      if (value !== undefined) return value;
      if (i + 1 >= argv.length) usageError(`${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case '--site': opts.site = take(); break;
      case '--pages': opts.pages = take(); break;
      case '--shots': opts.shots = take(); break;
      case '--canary': {
        const c = take();
        if (c === '') usageError('--canary needs a non-empty string');
        opts.canaries.push(c);
        break;
      }
      case '--search': {
        const s = take();
        const at = s.lastIndexOf('=>');
        if (at <= 0 || at + 2 >= s.length) usageError(`--search wants "phrase=>/expected/path/", got ${JSON.stringify(s)}`);
        opts.searches.push({ phrase: s.slice(0, at), expected: s.slice(at + 2).trim() });
        break;
      }
      case '--serve': opts.serve = true; break;
      case '--timeout': {
        const t = Number(take());
        if (!(t > 0)) usageError('--timeout wants a positive number of seconds');
        opts.timeout = t;
        break;
      }
      case '-h': case '--help':
        process.stdout.write(USAGE + '\n');
        process.exit(0);
        break;
      default:
        usageError(`unknown argument ${JSON.stringify(argv[i])}`);
    }
  }
  if (!opts.site) usageError('--site DIR is required');
  return opts;
}

function readPages(file) {
  if (!file) return ['/'];
  const pages = [];
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  lines.forEach((raw, n) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) return;
    if (!line.startsWith('/')) usageError(`${file}:${n + 1}: a page must be a URL path starting with "/", got ${JSON.stringify(line)}`);
    pages.push(line);
  });
  if (pages.length === 0) usageError(`${file} lists no pages`);
  return pages;
}

// ---------------------------------------------------------------- reporting

const results = [];
let stopped = false; // set when the time limit is hit: later results are noise from the teardown
let interrupted = null; // [signal, exit code] once a signal asked us to stop

function record(name, ok, details = []) {
  if (stopped) return;
  results.push({ name, ok, details });
  const lines = [`${ok ? 'PASS' : 'FAIL'} ${name}`];
  for (const d of details) lines.push(...String(d).split('\n').map((l) => `    ${l}`));
  process.stdout.write(lines.join('\n') + '\n');
}

function note(msg) {
  process.stdout.write(`     ${msg}\n`);
}

function summaryAndExit() {
  if (interrupted) {
    process.stdout.write(`\ninterrupted by ${interrupted[0]}\n`);
    process.exit(interrupted[1]);
  }
  const failed = results.filter((r) => !r.ok);
  const passed = results.length - failed.length;
  const out = ['', '== summary =='];
  if (failed.length) {
    out.push('failed checks:');
    for (const r of failed) out.push(`  - ${r.name}`);
  } else {
    out.push('all checks passed');
  }
  out.push(`${passed} passed, ${failed.length} failed`);
  process.stdout.write(out.join('\n') + '\n');
  process.exit(failed.length ? 1 : 0);
}

// ---------------------------------------------------------------- files

// Every file under root (dotfiles too), following symbolic links without looping.
function walkFiles(root) {
  const files = [];
  const seenDirs = new Set();
  const visit = (dir) => {
    let real;
    try { real = fs.realpathSync(dir); } catch { return; }
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, ent.name);
      let st;
      try { st = fs.statSync(full); } catch { continue; } // dangling link
      if (st.isDirectory()) visit(full);
      else if (st.isFile()) files.push(full);
    }
  };
  visit(root);
  files.sort();
  return files;
}

const isGzip = (b) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
const isZlib = (b) => b.length >= 2 && (b[0] & 0x0f) === 8 && ((b[0] << 8) | b[1]) % 31 === 0;

// The readable forms of a file: the bytes themselves and, if compressed, what they inflate to.
function fileForms(file, buf) {
  const forms = [{ label: '', data: buf }];
  const tryAdd = (label, fn) => {
    try { forms.push({ label, data: fn(buf) }); } catch { /* not that kind of data */ }
  };
  if (isGzip(buf) || /\.gz$/i.test(file)) tryAdd(' (gunzipped)', (b) => zlib.gunzipSync(b));
  else if (isZlib(buf)) tryAdd(' (inflated)', (b) => zlib.inflateSync(b));
  if (/\.br$/i.test(file)) tryAdd(' (brotli-decoded)', (b) => zlib.brotliDecompressSync(b));
  return forms;
}

// The canary as written, and as HTML, JSON or a URL would escape it.
function canaryForms(s) {
  const html = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const json = JSON.stringify(s).slice(1, -1);
  const jsonAscii = json.replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  return [...new Set([s, html, json, jsonAscii, encodeURIComponent(s)])].map((f) => Buffer.from(f, 'utf8'));
}

function lineOf(buf, index) {
  let line = 1;
  for (let i = 0; i < index; i++) if (buf[i] === 0x0a) line++;
  return line;
}

// ---------------------------------------------------------------- static server

const MIME = {
  '.html': 'text/html; charset=utf-8', '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json', '.map': 'application/json', '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.xml': 'application/xml', '.xsl': 'application/xslt+xml',
  '.atom': 'application/atom+xml', '.rss': 'application/rss+xml', '.ics': 'text/calendar; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8', '.txt': 'text/plain; charset=utf-8', '.md': 'text/markdown; charset=utf-8',
  '.yaml': 'application/yaml', '.yml': 'application/yaml', '.pdf': 'application/pdf',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp',
  '.avif': 'image/avif', '.ico': 'image/x-icon', '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf',
  '.otf': 'font/otf', '.gz': 'application/gzip', '.zip': 'application/zip',
};

function contentType(file) {
  return MIME[path.extname(file).toLowerCase()] || 'application/octet-stream';
}

function startServer(root) {
  const rootReal = fs.realpathSync(root);
  const served = [];
  const server = http.createServer((req, res) => {
    const send = (status, type, body, extra = {}) => {
      res.writeHead(status, {
        'Content-Type': type,
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        ...extra,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const notFound = () => {
      const page404 = path.join(rootReal, '404.html');
      if (fs.existsSync(page404)) send(404, 'text/html; charset=utf-8', fs.readFileSync(page404));
      else send(404, 'text/plain; charset=utf-8', '404 Not Found (and the site has no 404.html)\n');
    };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'GET, HEAD' });
      const url = new URL(req.url, 'http://127.0.0.1');
      let rel;
      try { rel = decodeURIComponent(url.pathname); } catch { return send(400, 'text/plain; charset=utf-8', 'bad path\n'); }
      if (rel.includes('\0')) return send(400, 'text/plain; charset=utf-8', 'bad path\n');
      let file = path.join(rootReal, path.normalize(rel));
      if (file !== rootReal && !file.startsWith(rootReal + path.sep)) return notFound();
      let st = fs.statSync(file, { throwIfNoEntry: false });
      if (st && st.isDirectory()) {
        if (!url.pathname.endsWith('/')) {
          return send(301, 'text/plain; charset=utf-8', 'moved\n', { Location: url.pathname + '/' + url.search });
        }
        file = path.join(file, 'index.html');
        st = fs.statSync(file, { throwIfNoEntry: false });
      }
      if (!st || !st.isFile()) return notFound();
      served.push(url.pathname);
      send(200, contentType(file), fs.readFileSync(file));
    } catch (err) {
      send(500, 'text/plain; charset=utf-8', `server error: ${err.message}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${server.address().port}`, served }));
  });
}

// ---------------------------------------------------------------- Nu HTML checker

function startVnu(siteDir, htmlFiles) {
  const jar = String(require('vnu-jar'));
  let args = ['-Xss8m', '-jar', jar, '--errors-only', '--format', 'json'];
  const listLen = htmlFiles.reduce((n, f) => n + f.length + 1, 0);
  // One java run over every file; past ~1 MB of arguments hand it the folder
  // instead (it then checks every .html/.htm/.xhtml file under it).
  args = listLen < 1_000_000 ? [...args, ...htmlFiles] : [...args, '--skip-non-html', siteDir];
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let child;
    try {
      child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ error: `could not start java: ${err.message}` });
      return;
    }
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, VNU_TIMEOUT_MS);
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (err) => { clearTimeout(timer); resolve({ error: `could not run java: ${err.message}` }); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    startVnu.child = child;
  });
}

function vnuReport(siteDir, htmlFiles, out) {
  const name = `HTML is valid (Nu HTML checker, ${htmlFiles.length} .html file${htmlFiles.length === 1 ? '' : 's'})`;
  if (htmlFiles.length === 0) return record(name, false, ['no .html files under the site']);
  if (out.error) return record(name, false, [out.error]);
  if (out.signal) return record(name, false, [`java was killed (${out.signal}); over ${VNU_TIMEOUT_MS / 1000} s?`]);
  const text = out.stderr + out.stdout;
  let messages;
  try {
    // vnu writes one JSON document ({"version": ..., "messages": [...]}) to stderr;
    // java may print other lines (e.g. "Picked up JAVA_TOOL_OPTIONS") around it.
    const start = text.indexOf('{');
    const end = text.lastIndexOf('}');
    if (start < 0 || end < start) throw new Error('no JSON in its output');
    messages = JSON.parse(text.slice(start, end + 1)).messages;
    if (!Array.isArray(messages)) throw new Error('no "messages" in its JSON');
  } catch (err) {
    return record(name, false, [`could not read vnu output (${err.message}), exit ${out.code}:`, text.slice(0, 2000)]);
  }
  const problems = messages.filter((m) => m.type === 'error' || m.type === 'non-document-error' || m.subType === 'fatal');
  const details = problems.map((m) => {
    let file = m.url || '?';
    try { if (file.startsWith('file:')) file = path.relative(siteDir, fileURLToPath(file)); } catch { /* keep url */ }
    const line = m.firstLine ?? m.lastLine ?? '?';
    const col = m.firstColumn ?? m.lastColumn;
    const where = col !== undefined ? `${file}:${line}:${col}` : `${file}:${line}`;
    const extract = m.extract ? `\n    ${JSON.stringify(m.extract.replace(/\s+/g, ' ').trim())}` : '';
    return `${where}: ${m.type === 'error' ? '' : m.type + ': '}${m.message}${extract}`;
  });
  if (problems.length === 0 && out.code !== 0) details.push(`vnu exited ${out.code} without reporting an error:`, text.slice(0, 2000));
  record(name, details.length === 0, details);
}

// ---------------------------------------------------------------- browser

// "/" -> index-1280.png, "/decisions/x/" -> decisions_x-1280.png, "/search/?q=a b" -> search_q_a_20b-1280.png
function shotName(urlPath, width, used) {
  let s = urlPath.replace(/^\/+/, '').replace(/\/+$/, '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '');
  if (!s) s = 'index';
  s = s.slice(0, 150);
  let name = `${s}-${width}.png`;
  for (let n = 2; used.has(name); n++) name = `${s}-${n}-${width}.png`;
  used.add(name);
  return name;
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

function firstLine(s) {
  return String(s).split('\n')[0];
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const siteDir = path.resolve(opts.site);
  if (!fs.existsSync(siteDir) || !fs.statSync(siteDir).isDirectory()) usageError(`--site ${opts.site}: no such folder`);
  if (opts.serve) {
    const { server, origin } = await startServer(siteDir);
    process.stdout.write(`serving ${siteDir} at ${origin}/ (Ctrl-C ends)\n`);
    const stop = () => server.close(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return;
  }
  const pages = readPages(opts.pages);
  const shotsDir = opts.shots ? path.resolve(opts.shots) : null;

  let chromium;
  let axeSource;
  try {
    ({ chromium } = await import('playwright-core'));
    axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    require.resolve('vnu-jar');
  } catch (err) {
    process.stderr.write(`check-site: missing npm packages (${err.message}); run tests/browser/install.sh\n`);
    process.exit(2);
  }
  if (!fs.existsSync(CHROMIUM)) {
    process.stderr.write(`check-site: no browser at ${CHROMIUM}; run tests/browser/install.sh\n`);
    process.exit(2);
  }
  if (shotsDir) fs.mkdirSync(shotsDir, { recursive: true });

  const started = Date.now();
  const allFiles = walkFiles(siteDir);
  const htmlFiles = allFiles.filter((f) => /\.html?$/i.test(f));
  const vnuDone = startVnu(siteDir, htmlFiles); // runs beside the browser

  const { server, origin } = await startServer(siteDir);
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'decreg-chromium-'));
  let context = null;

  // Closes the browser, then the server, then removes the profile; once, however often called.
  let cleaning = null;
  const cleanup = () => {
    cleaning ??= (async () => {
      if (context) {
        await withTimeout(context.close(), 15_000, 'closing the browser').catch((e) => note(`warning: ${e.message}`));
        context = null;
      }
      server.closeAllConnections?.();
      await new Promise((r) => server.close(() => r()));
      fs.rmSync(profileDir, { recursive: true, force: true, maxRetries: 3 });
      // The checker runs on after the browser closes; stop it only when giving up.
      if (stopped && startVnu.child && startVnu.child.exitCode === null) startVnu.child.kill('SIGKILL');
    })();
    return cleaning;
  };

  const watchdog = setTimeout(async () => {
    record(`finished within --timeout ${opts.timeout} s`, false, ['gave up; the checks above are all that ran']);
    stopped = true;
    await withTimeout(cleanup(), 20_000, 'cleanup').catch(() => {});
    summaryAndExit();
  }, opts.timeout * 1000);
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
    process.on(sig, async () => {
      stopped = true;
      interrupted = [sig, code];
      process.stderr.write(`check-site: ${sig}: closing the browser and the server\n`);
      await withTimeout(cleanup(), 20_000, 'cleanup').catch(() => {});
      process.exit(code);
    });
  }

  process.stdout.write(`checking ${siteDir} (${allFiles.length} files) at ${origin}\n`);

  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: DESKTOP,
      timeout: 60_000,
      // the signal handlers below close the browser and the server themselves
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    context.setDefaultTimeout(NAV_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(NAV_TIMEOUT_MS);
    const version = context.browser()?.version?.() ?? '';
    process.stdout.write(`chromium ${version || '(persistent context)'} ${CHROMIUM}; axe-core ${axeSource.match(/axe v([\d.]+)/)?.[1] ?? '?'}\n\n`);

    // Only the local server may be asked for anything.
    const external = new Map(); // url -> Set of page labels
    const pageLabels = new WeakMap();
    const labelOf = (request) => {
      try { return pageLabels.get(request.frame().page()) || '?'; } catch { return '(worker)'; }
    };
    const isLocal = (url) => url.startsWith(origin + '/') || url === origin || /^(data|blob|about):/.test(url);
    const noteExternal = (url, label) => {
      if (!external.has(url)) external.set(url, new Set());
      external.get(url).add(label);
    };
    await context.route('**/*', (route) => {
      const req = route.request();
      if (isLocal(req.url())) return route.continue().catch(() => {});
      noteExternal(req.url(), labelOf(req));
      return route.abort('blockedbyclient').catch(() => {});
    });
    context.on('request', (req) => { if (!isLocal(req.url())) noteExternal(req.url(), labelOf(req)); });

    // Open a page with the error listeners attached; returns { page, problems }.
    const openPage = async (label, viewport) => {
      const page = await context.newPage();
      pageLabels.set(page, label);
      if (viewport) await page.setViewportSize(viewport);
      const problems = [];
      page.on('dialog', (d) => {
        problems.push(`JavaScript ${d.type()} dialog: ${JSON.stringify(d.message())}`);
        d.dismiss().catch(() => {});
      });
      page.on('console', (msg) => {
        if (msg.type() !== 'error') return;
        const loc = msg.location();
        const where = loc && loc.url ? ` (${loc.url.replace(origin, '')}${loc.lineNumber ? `:${loc.lineNumber + 1}` : ''})` : '';
        const blocked = loc && loc.url && !isLocal(loc.url) ? ' [blocked: not the local server]' : '';
        problems.push(`console error: ${msg.text()}${where}${blocked}`);
      });
      page.on('pageerror', (err) => problems.push(`uncaught error: ${firstLine(err.stack || err.message)}`));
      page.on('crash', () => problems.push('the page crashed'));
      page.on('websocket', (ws) => { if (!isLocal(ws.url().replace(/^ws/, 'http'))) noteExternal(ws.url(), label); });
      return { page, problems };
    };

    const goto = async (page, urlPath) => {
      const resp = await page.goto(origin + urlPath, { waitUntil: 'networkidle', timeout: NAV_TIMEOUT_MS });
      const status = resp ? resp.status() : 0;
      return status;
    };

    const runAxe = async (page) => {
      for (const frame of page.frames()) {
        await frame.evaluate(axeSource).catch(() => {}); // a cross-origin/blocked frame stays untested
      }
      return page.evaluate(async (tags) => {
        const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
        const sel = (t) => (Array.isArray(t) ? t.map(sel).join(' >>> ') : String(t));
        return r.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
          nodes: v.nodes.map((n) => ({ target: n.target.map(sel).join(' '), summary: n.failureSummary || '', html: n.html || '' })),
        }));
      }, AXE_TAGS);
    };

    const usedShots = new Set();
    const shot = async (page, urlPath, width) => {
      if (!shotsDir) return;
      const file = path.join(shotsDir, shotName(urlPath, width, usedShots));
      try {
        await withTimeout(page.screenshot({ path: file, fullPage: true, timeout: SHOT_TIMEOUT_MS }), SHOT_TIMEOUT_MS + 5000, 'screenshot');
        const rel = path.relative(process.cwd(), file);
        record(`${urlPath} @${width}px: screenshot ${rel.startsWith('..') ? file : rel}`, true);
      } catch (err) {
        record(`${urlPath} @${width}px: screenshot`, false, [firstLine(err.message)]);
      }
    };

    // ---- pages
    for (const urlPath of pages) {
      const { page, problems } = await openPage(urlPath);
      try {
        let status;
        try {
          status = await goto(page, urlPath);
        } catch (err) {
          record(`${urlPath}: loads`, false, [firstLine(err.message)]);
          record(`${urlPath}: no JavaScript errors or dialogs`, problems.length === 0, problems);
          continue;
        }
        const ok = status > 0 && status < 400;
        record(`${urlPath}: loads (HTTP ${status})`, ok, ok ? [] : [`the server answered ${status}; axe skipped`]);
        if (ok) {
          try {
            const violations = await withTimeout(runAxe(page), 60_000, 'axe');
            const details = [];
            for (const v of violations) {
              details.push(`[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`);
              for (const n of v.nodes.slice(0, 20)) details.push(`    at ${n.target}    ${n.html.slice(0, 160)}`);
              if (v.nodes.length > 20) details.push(`    ... and ${v.nodes.length - 20} more`);
            }
            const count = violations.length ? ` — ${violations.length} rule(s) violated on ${urlPath}` : '';
            record(`${urlPath}: axe (${AXE_TAGS.join(', ')}) finds no violation${count}`, violations.length === 0, details);
          } catch (err) {
            record(`${urlPath}: axe`, false, [`axe did not run: ${firstLine(err.message)}`]);
          }
        }
        await shot(page, urlPath, DESKTOP.width);
        record(`${urlPath}: no JavaScript errors or dialogs`, problems.length === 0, problems);
      } finally {
        await page.close().catch(() => {});
      }
    }

    // ---- the home page on a phone
    {
      const { page, problems } = await openPage('/ (phone)', PHONE);
      try {
        await goto(page, '/');
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth).catch(() => 0);
        if (overflow > 0) note(`note: / is ${overflow}px wider than a ${PHONE.width}px screen (scrolls sideways)`);
        await shot(page, '/', PHONE.width);
      } catch (err) {
        problems.push(`could not load / at ${PHONE.width}px: ${firstLine(err.message)}`);
      } finally {
        record(`/ @${PHONE.width}px: no JavaScript errors or dialogs`, problems.length === 0, problems);
        await page.close().catch(() => {});
      }
    }

    // ---- search
    for (const { phrase, expected } of opts.searches) {
      const urlPath = `/search/?q=${encodeURIComponent(phrase)}`;
      const label = `search ${JSON.stringify(phrase)}`;
      const staticHtml = path.join(siteDir, 'search', 'index.html');
      if (fs.existsSync(staticHtml) && fs.readFileSync(staticHtml, 'utf8').includes(expected)) {
        note(`note: search/index.html itself links to ${expected}, so this search check proves little`);
      }
      const { page, problems } = await openPage(label);
      const cdp = await context.newCDPSession(page);
      let bytes = 0;
      let decoded = 0;
      let requests = 0;
      cdp.on('Network.dataReceived', (e) => { decoded += e.dataLength || 0; });
      cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength || 0; requests++; });
      try {
        await cdp.send('Network.enable');
        await cdp.send('Network.setCacheDisabled', { cacheDisabled: true }); // a first visit: cold cache
        const resp = await page.goto(origin + urlPath, { waitUntil: 'load', timeout: NAV_TIMEOUT_MS });
        if (resp && resp.status() >= 400) problems.push(`${urlPath} answered HTTP ${resp.status()}`);
        const t0 = Date.now();
        const found = await page.waitForFunction((exp) => {
          for (const a of document.querySelectorAll('a[href]')) {
            const raw = a.getAttribute('href') || '';
            let abs = '';
            try { abs = new URL(a.href).pathname; } catch { /* ignore */ }
            if (raw.endsWith(exp) || raw.includes(exp) || abs.endsWith(exp) || abs.includes(exp)) return raw;
          }
          return false;
        }, expected, { timeout: SEARCH_LINK_TIMEOUT_MS, polling: 100 }).then((h) => h.jsonValue(), () => null);
        const waited = Date.now() - t0;
        await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => {});
        const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
        const size = `${bytes} bytes transferred (${kb(bytes)}; ${decoded} bytes of bodies) in ${requests} requests`;
        record(`${label} links to ${expected}${found ? ` (after ${waited} ms)` : ''}; ${size}`, !!found,
          found ? [] : [`no link whose href contains ${expected} appeared on ${urlPath} within ${SEARCH_LINK_TIMEOUT_MS / 1000} s`]);
      } catch (err) {
        record(`${label} links to ${expected}`, false, [firstLine(err.message)]);
      } finally {
        record(`${label}: no JavaScript errors or dialogs`, problems.length === 0, problems);
        await cdp.detach().catch(() => {});
        await page.close().catch(() => {});
      }
    }

    const extDetails = [...external].map(([url, labels]) => `${url}  (from ${[...labels].join(', ')})`);
    record('no request went to a host other than the local server', external.size === 0, extDetails);
  } catch (err) {
    record('browser checks ran', false, [err.stack || err.message]);
  } finally {
    await cleanup().catch((e) => note(`warning: cleanup: ${e.message}`));
  }

  // ---- canaries, straight from the files on disk
  if (opts.canaries.length) {
    const hits = new Map(opts.canaries.map((c) => [c, []]));
    const patterns = opts.canaries.map((c) => [c, canaryForms(c)]);
    for (const file of allFiles) {
      let buf;
      try { buf = fs.readFileSync(file); } catch (err) {
        for (const c of opts.canaries) hits.get(c).push(`${path.relative(siteDir, file)}: unreadable (${err.message})`);
        continue;
      }
      for (const form of fileForms(file, buf)) {
        for (const [c, pats] of patterns) {
          for (const p of pats) {
            const at = form.data.indexOf(p);
            if (at >= 0) {
              hits.get(c).push(`${path.relative(siteDir, file)}${form.label}: line ${lineOf(form.data, at)}`);
              break;
            }
          }
        }
      }
    }
    for (const [c, h] of hits) {
      record(`no file under the site contains the canary ${JSON.stringify(c)} (${allFiles.length} files)`, h.length === 0, h);
    }
  }

  // ---- Nu HTML checker
  vnuReport(siteDir, htmlFiles, await vnuDone);

  clearTimeout(watchdog);
  process.stdout.write(`\n(${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  summaryAndExit();
}

main().catch((err) => {
  record('check-site ran', false, [err.stack || err.message]);
  summaryAndExit();
});
