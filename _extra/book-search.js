// The search page's summaries, cut from the plain text of each section (search-text.js, written by
// _ext/book_site.py at build time) instead of fetching every listed page whole, as Sphinx does.
(function () {
  "use strict";
  var text = window.BOOK_SEARCH_TEXT || {};
  var terms = (new URLSearchParams(window.location.search).get("q") || "")
    .toLowerCase().split(/\s+/).filter(function (t) { return t.length > 1; });
  var WIDTH = 240;

  function escape(s) {
    return s.replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; });
  }

  function summary(doc, anchor) {
    var sections = text[doc];
    if (!sections || !sections.length) return null;
    var chosen = sections.filter(function (s) { return s[0] === anchor; })[0];
    var hit = function (s) { var low = s[1].toLowerCase(); return terms.some(function (t) { return low.indexOf(t) >= 0; }); };
    if (!chosen || (!anchor && !hit(chosen))) chosen = sections.filter(hit)[0] || sections[0];
    var body = chosen[1], low = body.toLowerCase(), at = -1;
    terms.forEach(function (t) { var i = low.indexOf(t); if (i >= 0 && (at < 0 || i < at)) at = i; });
    var start = Math.max(0, at - WIDTH / 3), end = Math.min(body.length, start + WIDTH);
    var cut = (start > 0 ? "…" : "") + body.slice(start, end).trim() + (end < body.length ? "…" : "");
    var html = escape(cut);
    terms.forEach(function (t) {
      html = html.replace(new RegExp("(" + t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + ")", "gi"),
                          '<span class="highlighted">$1</span>');
    });
    var p = document.createElement("p");
    p.className = "context";
    p.innerHTML = html;
    return p;
  }

  function annotate(item) {
    var link = item.querySelector("a");
    if (!link || item.querySelector("p.context")) return;
    var href = link.getAttribute("href"), hash = href.indexOf("#");
    var page = hash >= 0 ? href.slice(0, hash) : href, anchor = hash >= 0 ? href.slice(hash) : "";
    var p = summary(page.replace(/\.html$/, ""), anchor);
    if (p) item.appendChild(p);
  }

  var observer = new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) { if (node.nodeName === "LI") annotate(node); });
    });
  });
  // This script comes last in the page, so the results box is there already; results listed before
  // it ran get their summaries at once.
  var results = document.getElementById("search-results");
  if (results) {
    observer.observe(results, {childList: true, subtree: true});
    Array.prototype.forEach.call(results.querySelectorAll("li"), annotate);
  }
})();
