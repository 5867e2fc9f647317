// Reads ?q=, loads the index and lists the decisions whose text has every word.
(function () {
  'use strict';
  var q = new URLSearchParams(window.location.search).get('q') || '';
  var input = document.getElementById('q');
  var results = document.getElementById('results');
  input.value = q;
  var words = q.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return;
  fetch('/search/index.json')
    .then(function (r) {
      if (!r.ok) throw new Error('search index: HTTP ' + r.status);
      return r.json();
    })
    .then(function (docs) {
      var hits = docs.filter(function (d) {
        var text = (d.title + ' ' + d.text).toLowerCase();
        return words.every(function (w) { return text.indexOf(w) >= 0; });
      });
      var p = document.createElement('p');
      p.textContent = hits.length + (hits.length === 1 ? ' decision matches ' : ' decisions match ') + '“' + q + '”.';
      results.appendChild(p);
      if (hits.length === 0) return;
      var ul = document.createElement('ul');
      hits.forEach(function (d) {
        var li = document.createElement('li');
        var a = document.createElement('a');
        a.href = d.url;
        a.textContent = d.title;
        li.appendChild(a);
        ul.appendChild(li);
      });
      results.appendChild(ul);
    });
}());
