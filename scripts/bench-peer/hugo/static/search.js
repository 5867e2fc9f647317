// The peer's search page, as a decreg search does it: the first 20 results,
// each with its data (title, address, excerpt), through Pagefind's JS API.
const q = new URLSearchParams(location.search).get('q') || '';
const status = document.getElementById('search-status');
const list = document.getElementById('search-results');
document.getElementById('search-q').value = q;
if (q.trim()) {
  status.textContent = 'Searching…';
  const pagefind = await import('/pagefind/pagefind.js');
  const search = await pagefind.search(q);
  const data = await Promise.all(search.results.slice(0, 20).map((r) => r.data()));
  for (const d of data) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = d.url;
    a.textContent = d.meta.title;
    const p = document.createElement('p');
    p.innerHTML = d.excerpt;
    li.append(a, p);
    list.append(li);
  }
  status.textContent = search.results.length
    ? `${search.results.length} decisions found`
    : 'No decisions found';
}
