// decreg search. Reads the query, sort and filters from the page address
// (so a search can be linked and bookmarked), asks the Pagefind index
// beside the site, and shows results. Every string from the index is put
// into the page as text, never as HTML.

const PAGE = 20;
const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const sortSelect = document.getElementById("search-sort");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const fieldsets = [...document.querySelectorAll("#search-facets fieldset[data-filter]")];
const siteRoot = new URL("../", window.location.href);

let pagefind;
let results = [];
let shown = 0;

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

// Pagefind marks matches with <mark>; keep the marks, treat the rest as text.
function excerptNode(html) {
  const p = el("p", { class: "item-excerpt" });
  const doc = new DOMParser().parseFromString("<body>" + html + "</body>", "text/html");
  for (const node of doc.body.childNodes) {
    if (node.nodeName === "MARK") p.append(el("mark", {}, node.textContent));
    else p.append(document.createTextNode(node.textContent));
  }
  return p;
}

function facetOrder(key, entries) {
  if (key === "year") return entries.sort((a, b) => b[0].localeCompare(a[0]));
  return entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function buildFacets(available, chosen) {
  for (const fs of fieldsets) {
    const key = fs.dataset.filter;
    for (const old of fs.querySelectorAll(".facet-option")) old.remove();
    const values = facetOrder(key, Object.entries(available[key] || {}));
    fs.hidden = values.length === 0;
    values.forEach(([value, count], i) => {
      const id = `f-${key}-${i}`;
      const row = el("div", { class: "facet-option" });
      const box = el("input", { type: "checkbox", id, name: key, value });
      box.checked = (chosen[key] || []).includes(value);
      box.addEventListener("change", () => run(true));
      const label = el("label", { for: id }, `${value} (${count})`);
      row.append(box, label);
      fs.append(row);
    });
  }
}

// Counts beside each filter follow the current search.
function updateCounts(remaining) {
  for (const box of document.querySelectorAll("#search-facets input")) {
    const count = (remaining[box.name] || {})[box.value] || 0;
    const label = document.querySelector(`label[for="${box.id}"]`);
    if (label) label.textContent = `${box.value} (${count})`;
  }
}

function chosenFilters() {
  const filters = {};
  for (const box of document.querySelectorAll("#search-facets input:checked")) {
    (filters[box.name] ||= []).push(box.value);
  }
  const out = {};
  for (const [k, v] of Object.entries(filters)) out[k] = { any: v };
  return out;
}

async function showMore() {
  const batch = results.slice(shown, shown + PAGE);
  const data = await Promise.all(batch.map((r) => r.data()));
  for (const d of data) {
    const li = el("li", { class: "decision-item" });
    const h3 = el("h3", { class: "item-title" });
    h3.append(el("a", { href: new URL(d.url.replace(/^\//, ""), siteRoot).pathname }, d.meta.title || d.url));
    li.append(h3);
    const bits = [d.meta.decision_maker, d.meta.date_long, d.meta.status].filter(Boolean);
    li.append(el("p", { class: "item-meta" }, bits.join(" · ")));
    if (d.excerpt) li.append(excerptNode(d.excerpt));
    list.append(li);
  }
  shown += batch.length;
  more.hidden = shown >= results.length;
}

async function run(record) {
  if (record) writeParams();
  const q = input.value.trim();
  const filters = chosenFilters();
  list.replaceChildren();
  shown = 0;
  if (!q && Object.keys(filters).length === 0) {
    results = [];
    status.textContent = "Enter words to search for, or choose a filter.";
    more.hidden = true;
    return;
  }
  status.textContent = "Searching…";
  const sort = sortSelect.value === "newest" ? { date: "desc" } : sortSelect.value === "oldest" ? { date: "asc" } : undefined;
  const search = await pagefind.search(q || null, { filters, sort });
  results = search ? search.results : [];
  if (search && search.filters) updateCounts(search.filters);
  const n = results.length;
  const what = q ? ` for “${q}”` : "";
  status.textContent = n === 0 ? `No decisions found${what}.` : `${n} decision${n === 1 ? "" : "s"} found${what}.`;
  await showMore();
}

async function start() {
  const initial = params();
  input.value = initial.q;
  sortSelect.value = ["relevance", "newest", "oldest"].includes(initial.sort) ? initial.sort : "relevance";
  try {
    pagefind = await import(new URL("pagefind/pagefind.js", siteRoot).href);
    await pagefind.options({ baseUrl: siteRoot.pathname });
    await pagefind.init();
  } catch (e) {
    status.textContent = "Search is not available at the moment. You can browse decisions instead.";
    return;
  }
  // The filter lists are fetched only when someone opens the filters (or
  // arrives with filters in the address): a plain first search stays small.
  const panel = document.getElementById("search-filters");
  let facetsLoaded = false;
  const loadFacets = async () => {
    if (facetsLoaded) return;
    facetsLoaded = true;
    buildFacets(await pagefind.filters(), initial.filters);
  };
  if (Object.keys(initial.filters).length > 0) {
    panel.open = true;
    await loadFacets();
  }
  panel.addEventListener("toggle", () => { if (panel.open) loadFacets().then(() => run(false)); });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(true);
  });
  sortSelect.addEventListener("change", () => run(true));
  more.addEventListener("click", () => showMore());
  await run(false);
}

start();
