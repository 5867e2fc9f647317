// decreg search. Reads the query, sort and filters from the page address
// (so a search can be linked and bookmarked), fetches only the parts of
// decreg's index the query needs (a manifest, one shard per word, the
// summaries of the results shown) and shows the results. Every string
// from the index is put into the page as text, never as HTML.
// The index's format is described in src/search/files.rs.

const PAGE = 20;
// More words than this add little and would fetch a shard each.
const MAX_WORDS = 8;
// A query word shorter than the shards' prefixes also looks in up to this
// many shards under it ("educ" finds "education" in shard "educa").
const MAX_SHARDS_UNDER = 4;

const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const sortSelect = document.getElementById("search-sort");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const fieldsets = [...document.querySelectorAll("#search-facets fieldset[data-filter]")];
const siteRoot = new URL("../", window.location.href);
const indexRoot = new URL("search-index/", siteRoot);

let manifest;
let shardSet;
let maxPrefix = 0;
const shardCache = new Map();
const chunkCache = new Map();
let facets = null;
let results = [];
let shown = 0;
let runs = 0;

// ---- fetching the index

async function inflate(bytes) {
  // gzip, unless the host already undid it (and said so)
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function fetchFile(path, fresh) {
  const url = new URL(path, indexRoot);
  if (!fresh) url.searchParams.set("v", manifest.stamp);
  const response = await fetch(url, fresh ? { cache: "no-cache" } : {});
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return inflate(new Uint8Array(await response.arrayBuffer()));
}

const utf8 = new TextDecoder();
const fetchJson = async (path, fresh) => JSON.parse(utf8.decode(await fetchFile(path, fresh)));

function readVarint(bytes, at) {
  let value = 0;
  let scale = 1;
  let b;
  do {
    b = bytes[at.pos++];
    value += (b & 0x7f) * scale;
    scale *= 128;
  } while (b & 0x80);
  return value;
}

// A shard: its terms, each with where its postings lie in the bytes.
function parseShard(bytes) {
  const at = { pos: 0 };
  const terms = [];
  const bitmapLength = Math.ceil(manifest.docs / 8);
  const skip = (count) => { for (let c = 0; c < count; c++) while (bytes[at.pos++] & 0x80); };
  const n = readVarint(bytes, at);
  for (let i = 0; i < n; i++) {
    const len = readVarint(bytes, at);
    const term = utf8.decode(bytes.subarray(at.pos, at.pos + len));
    at.pos += len;
    const count = readVarint(bytes, at);
    const form = bytes[at.pos++];
    if (form === 0) {
      terms.push({ term, count, start: at.pos });
      skip(count);
    } else {
      // a bitmap of every decision, after the list of the heavier ones
      const heavy = readVarint(bytes, at);
      const start = at.pos;
      skip(heavy);
      terms.push({ term, count, start, heavy, bitmap: at.pos });
      at.pos += bitmapLength;
    }
  }
  return { bytes, terms };
}

// Calls visit(doc, weight) for each decision a term is in, in order.
function eachPosting(shard, t, visit) {
  const at = { pos: t.start };
  const bytes = shard.bytes;
  let doc = -1;
  if (t.bitmap === undefined) {
    for (let c = 0; c < t.count; c++) {
      const v = readVarint(bytes, at);
      doc += Math.floor(v / 16);
      visit(doc, v % 16);
    }
    return;
  }
  const weights = new Map();
  for (let c = 0; c < t.heavy; c++) {
    const v = readVarint(bytes, at);
    doc += Math.floor(v / 16);
    weights.set(doc, v % 16);
  }
  for (let d = 0; d < manifest.docs; d++) {
    if (bytes[t.bitmap + (d >> 3)] & (1 << (d & 7))) visit(d, weights.get(d) || 1);
  }
}

function shard(prefix) {
  if (!shardCache.has(prefix)) shardCache.set(prefix, fetchFile(`t/${prefix}.bin`).then(parseShard));
  return shardCache.get(prefix);
}

// The shard a word would be in, if any (one at most).
async function ownShard(word) {
  for (let n = Math.min(word.length, maxPrefix); n >= 1; n--) {
    if (shardSet.has(word.slice(0, n))) return [await shard(word.slice(0, n))];
  }
  return [];
}

// The shards a word's terms are in: the one with the longest prefix of the
// word and, when that has no term that is the whole word (a word being
// typed: "educ"), a few whose prefixes begin with the word.
async function shardsFor(word) {
  const found = await ownShard(word);
  if (found.some((s) => s.terms.some((t) => t.term === word))) return found;
  const under = manifest.shards.filter((p) => p.length > word.length && p.startsWith(word));
  if (under.length <= MAX_SHARDS_UNDER) found.push(...(await Promise.all(under.map(shard))));
  return found;
}

// ---- the query

// The words of a text as the index keeps them (see fold() and kept() in src/search/mod.rs).
// Left out of a query that has other words: too common to tell decisions
// apart, costly to fetch, and they would cut a title typed whole.
const COMMON = new Set(["and", "the", "of", "for", "to", "in", "on", "at", "by", "from", "with", "or", "an", "into"]);

// The words every result must have, the letters that only rank (see
// kept_in_title() in src/search/mod.rs), and whether words were cut.
function queryTerms(text) {
  const folded = [...new Set(words(text, true))];
  const letters = folded.filter((w) => /^[a-z]$/.test(w) && !"ais".includes(w));
  let all = folded.filter((w) => w.length > 1 || /[0-9]/.test(w));
  if (all.some((w) => !COMMON.has(w))) all = all.filter((w) => !COMMON.has(w));
  return { words: all.slice(0, MAX_WORDS), letters, cut: all.length > MAX_WORDS };
}

function words(text, withLetters = false) {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0 && w.length <= 40 && (w.length > 1 || withLetters || /[0-9]/.test(w)));
}

// A word without one common ending, so that word forms match
// ("allowances"/"allowance", "regenerate"/"regeneration").
const ENDINGS = ["ations", "ation", "ating", "ated", "ates", "ate", "ings", "ing", "ies", "es", "ed", "s", "e", "y"];
function stem(w) {
  if (/[0-9]/.test(w)) return w;
  const e = ENDINGS.find((e) => w.length - e.length >= 4 && w.endsWith(e));
  return e ? w.slice(0, -e.length) : w;
}

// A weight (terms() in src/search/mod.rs) is 8 for the title + 4 for a
// label (decision maker, area, subject) + 1-3 for the text.
const IN_TITLE = 8;
const IN_LABEL = 4;

// The decisions with all the words, ranked by how many of the words their
// title and labels hold, then their title, then a score (weight times
// rarity), then newest first. A whole word counts more than another form
// of it, and that more than a longer word it begins ("educ" while typing).
async function match(queryWords, letters) {
  const n = manifest.docs;
  const score = new Float32Array(n);
  const named = new Float32Array(n); // words in the title or a label
  const titled = new Float32Array(n); // words in the title
  const hits = new Uint8Array(n);
  const shardsOf = await Promise.all(queryWords.map(shardsFor));
  for (const [i, word] of queryWords.entries()) {
    const shards = shardsOf[i];
    const best = new Map();
    const root = stem(word);
    for (const s of shards) {
      for (const t of s.terms) {
        const factor = t.term === word ? 1 : stem(t.term) === root ? 0.8 : t.term.startsWith(word) ? 0.6 : 0;
        if (!factor) continue;
        eachPosting(s, t, (doc, weight) => {
          const w = weight * factor;
          const title = weight >= IN_TITLE ? factor : 0;
          const label = weight % IN_TITLE >= IN_LABEL ? factor : 0;
          const was = best.get(doc);
          if (!was) best.set(doc, { w, title, named: Math.max(title, label) });
          else {
            was.w = Math.max(was.w, w);
            was.title = Math.max(was.title, title);
            was.named = Math.max(was.named, title, label);
          }
        });
      }
    }
    const idf = Math.log(1 + n / Math.max(best.size, 1));
    for (const [doc, b] of best) {
      score[doc] += idf * b.w;
      titled[doc] += b.title;
      named[doc] += b.named;
      hits[doc]++;
    }
  }
  // A letter ("Zone G") is a term only in titles: it ranks, never filters.
  const letterShards = await Promise.all(letters.map(ownShard));
  for (const [i, letter] of letters.entries()) {
    for (const s of letterShards[i]) {
      for (const t of s.terms) {
        if (t.term !== letter) continue;
        eachPosting(s, t, (doc) => {
          titled[doc]++;
          named[doc]++;
        });
      }
    }
  }
  const docs = [];
  for (let d = 0; d < n; d++) if (hits[d] === queryWords.length) docs.push(d);
  const rank = (a, b) => named[b] - named[a] || titled[b] - titled[a] || score[b] - score[a] || a - b;
  return { docs, rank };
}

// ---- filters

async function loadFacets() {
  if (facets) return facets;
  const raw = await fetchJson("facets.bin");
  facets = {};
  for (const [key, values] of Object.entries(raw)) {
    facets[key] = values.map(([value, gaps]) => {
      const docs = new Uint32Array(gaps.length);
      let doc = -1;
      gaps.forEach((g, i) => { doc += g; docs[i] = doc; });
      return { value, docs };
    });
  }
  return facets;
}

function chosenFilters() {
  const chosen = {};
  for (const box of document.querySelectorAll("#search-facets input:checked")) (chosen[box.name] ||= []).push(box.value);
  return chosen;
}

// For each decision, how many of the chosen filters (other than `except`)
// it passes: a filter passes with any of its chosen values.
function filterCounts(chosen, except) {
  const count = new Uint8Array(manifest.docs);
  for (const key of Object.keys(chosen)) {
    if (key === except) continue;
    const seen = new Uint8Array(manifest.docs);
    for (const v of facets[key] || []) {
      if (chosen[key].includes(v.value)) for (const d of v.docs) seen[d] = 1;
    }
    for (let d = 0; d < seen.length; d++) count[d] += seen[d];
  }
  return count;
}

const chosenKeys = (chosen, except) => Object.keys(chosen).filter((k) => k !== except).length;

function buildFacets(chosen) {
  for (const fs of fieldsets) {
    const key = fs.dataset.filter;
    for (const old of fs.querySelectorAll(".facet-option")) old.remove();
    const values = facets[key] || [];
    fs.hidden = values.length === 0;
    values.forEach(({ value, docs }, i) => {
      const id = `f-${key}-${i}`;
      const row = el("div", { class: "facet-option" });
      const box = el("input", { type: "checkbox", id, name: key, value });
      box.checked = (chosen[key] || []).includes(value);
      box.addEventListener("change", () => run(true));
      row.append(box, el("label", { for: id }, `${value} (${docs.length})`));
      fs.append(row);
    });
  }
}

// The count beside each filter value is how many decisions the search
// would find with that value ticked as well: the other filters apply,
// and the filter's own other values do not.
function updateCounts(queryDocs, chosen) {
  if (!facets) return;
  for (const fs of fieldsets) {
    const key = fs.dataset.filter;
    const passes = filterCounts(chosen, key);
    const needed = chosenKeys(chosen, key);
    const inResults = new Uint8Array(manifest.docs);
    for (const d of queryDocs) if (passes[d] === needed) inResults[d] = 1;
    (facets[key] || []).forEach(({ value, docs }, i) => {
      let count = 0;
      for (const d of docs) count += inResults[d];
      const label = fs.querySelector(`label[for="f-${key}-${i}"]`);
      if (label) label.textContent = `${value} (${count})`;
    });
  }
}

// ---- the page

function params() {
  const p = new URLSearchParams(window.location.search);
  const filters = {};
  for (const [key, value] of p) {
    if (key.startsWith("f-")) (filters[key.slice(2)] ||= []).push(value);
  }
  return { q: (p.get("q") || "").trim(), sort: p.get("sort") || "relevance", filters };
}

function writeParams() {
  const p = new URLSearchParams();
  if (input.value.trim()) p.set("q", input.value.trim());
  if (sortSelect.value !== "relevance") p.set("sort", sortSelect.value);
  for (const box of document.querySelectorAll("#search-facets input:checked")) p.append("f-" + box.name, box.value);
  const query = p.toString();
  window.history.replaceState(null, "", query ? "?" + query : window.location.pathname);
}

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

// The text with each word that begins with a query word, or is one of its
// letters, marked.
function marked(tag, attrs, text, terms) {
  const node = el(tag, attrs);
  let last = 0;
  for (const m of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    const folded = words(m[0], true);
    if (!folded.some((f) => terms.letters.includes(f) || terms.words.some((w) => f.startsWith(w)))) continue;
    node.append(document.createTextNode(text.slice(last, m.index)), el("mark", {}, m[0]));
    last = m.index + m[0].length;
  }
  node.append(document.createTextNode(text.slice(last)));
  return node;
}

function chunk(n) {
  if (!chunkCache.has(n)) chunkCache.set(n, fetchJson(`d/${n}.bin`));
  return chunkCache.get(n);
}

async function showMore(terms, run) {
  const batch = results.slice(shown, shown + PAGE);
  const rows = await Promise.all(batch.map(async (doc) => (await chunk(Math.floor(doc / manifest.chunk)))[doc % manifest.chunk]));
  if (run !== runs) return;
  for (const [id, title, maker, date, statusLabel, excerpt] of rows) {
    const li = el("li", { class: "decision-item" });
    const h3 = el("h3", { class: "item-title" });
    const link = marked("a", { href: new URL(`decisions/${id}/`, siteRoot).pathname }, title, terms);
    h3.append(link);
    li.append(h3, el("p", { class: "item-meta" }, [maker, date, statusLabel].filter(Boolean).join(" · ")));
    if (excerpt) li.append(marked("p", { class: "item-excerpt" }, excerpt, terms));
    list.append(li);
  }
  shown += batch.length;
  more.hidden = shown >= results.length;
}

async function run(record) {
  const thisRun = ++runs;
  if (record) writeParams();
  const q = input.value.trim();
  const terms = queryTerms(q);
  const { words: queryWords, letters, cut: wordsCut } = terms;
  const chosen = chosenFilters();
  list.replaceChildren();
  shown = 0;
  if (queryWords.length === 0 && Object.keys(chosen).length === 0) {
    results = [];
    status.textContent = q ? `No decisions found for “${q}”.` : "Enter words to search for, or choose a filter.";
    more.hidden = true;
    return;
  }
  status.textContent = "Searching…";
  let docs;
  let rank = null;
  if (queryWords.length > 0) ({ docs, rank } = await match(queryWords, letters));
  else docs = Array.from({ length: manifest.docs }, (_, d) => d);
  if (thisRun !== runs) return;
  updateCounts(docs, chosen);
  if (facets && Object.keys(chosen).length > 0) {
    const passes = filterCounts(chosen, null);
    const needed = chosenKeys(chosen, null);
    docs = docs.filter((d) => passes[d] === needed);
  }
  // documents are numbered newest first
  if (sortSelect.value === "oldest") docs.reverse();
  else if (sortSelect.value !== "newest" && rank) docs.sort(rank);
  results = docs;
  const n = results.length;
  const what = q ? ` for “${q}”` : "";
  const cut = wordsCut ? ` Only the first ${MAX_WORDS} words were searched for.` : "";
  status.textContent = (n === 0 ? `No decisions found${what}.` : `${n} decision${n === 1 ? "" : "s"} found${what}.`) + cut;
  await showMore(terms, thisRun);
}

async function start() {
  const initial = params();
  input.value = initial.q;
  sortSelect.value = ["relevance", "newest", "oldest"].includes(initial.sort) ? initial.sort : "relevance";
  try {
    manifest = await fetchJson("manifest.bin", true);
    shardSet = new Set(manifest.shards);
    maxPrefix = Math.max(0, ...manifest.shards.map((p) => p.length));
  } catch (e) {
    status.textContent = "Search is not available at the moment. You can browse decisions instead.";
    return;
  }
  // The filter lists are fetched only when someone opens the filters (or
  // arrives with filters in the address): a plain first search stays small.
  const panel = document.getElementById("search-filters");
  const openFilters = async () => {
    const first = !facets;
    await loadFacets();
    if (first) buildFacets(params().filters);
  };
  if (Object.keys(initial.filters).length > 0) {
    panel.open = true;
    await openFilters();
  }
  panel.addEventListener("toggle", () => { if (panel.open) openFilters().then(() => run(false)); });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(true);
  });
  sortSelect.addEventListener("change", () => run(true));
  more.addEventListener("click", () => showMore(queryTerms(input.value), runs));
  await run(false);
}

start();
