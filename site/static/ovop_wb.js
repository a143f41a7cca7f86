// Criteria workbench: add, remove and reorder rows; field names follow the rows' order when the form is sent.
(function () {
  "use strict";
  function items(list) { return Array.prototype.filter.call(list.children, function (c) { return c.hasAttribute("data-item"); }); }
  function nameOf(el, form) {
    var parts = [];
    for (var n = el; n && n !== form; n = n.parentElement) {
      if (n === el && n.dataset.f) { parts.unshift(n.dataset.f); continue; }
      if (n.hasAttribute("data-item")) { parts.unshift(String(items(n.parentElement).indexOf(n))); }
      else if (n.dataset.list) { parts.unshift(n.dataset.list); }
      else if (n.dataset.obj) { parts.unshift(n.dataset.obj); }
      else if (n.classList && n.classList.contains("ovop-wb-section")) { break; }
    }
    var section = el.closest(".ovop-wb-section");
    var sec = section ? section.id.replace(/^s-/, "") : "";
    if (parts[0] !== sec) { parts.unshift(sec); }
    return "e." + parts.join(".");
  }
  function rename(form) {
    form.querySelectorAll("[data-f]").forEach(function (el) {
      if (el.closest("template")) { return; }
      if (el.name && el.name.indexOf("e.") === 0) { el.name = nameOf(el, form); }
    });
  }
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("button[data-do]");
    var go = ev.target.closest("a[data-goto]");
    if (go) {
      ev.preventDefault();
      var target = document.querySelector("[name='e." + go.dataset.goto + "']") || document.querySelector("[name^='e." + go.dataset.goto + ".']");
      if (target) { target.scrollIntoView({block: "center"}); target.focus(); }
      return;
    }
    if (!b) { return; }
    var what = b.dataset.do;
    if (what === "add") {
      var tpl = b.nextElementSibling, prev = b.previousElementSibling;
      var list = prev && (prev.hasAttribute("data-list") ? prev : prev.querySelector("table > tbody[data-list]"));
      if (!tpl || !list) { return; }
      list.appendChild(document.importNode(tpl.content, true));
      var added = items(list).pop();
      added.querySelectorAll("[data-f]").forEach(function (el) { el.name = "e.x"; });
      var first = added.querySelector("input"); if (first) { first.focus(); }
      return;
    }
    var row = b.closest("[data-item]");
    if (!row) { return; }
    if (what === "del") { row.parentElement.removeChild(row); }
    if (what === "up" && row.previousElementSibling) { row.parentElement.insertBefore(row, row.previousElementSibling); }
    if (what === "down" && row.nextElementSibling) { row.parentElement.insertBefore(row.nextElementSibling, row); }
  });
  // a large population's impact comes after the page: fetched, then put in place of its note
  document.querySelectorAll("[data-impact-src]").forEach(function (note) {
    var src = note.dataset.impactSrc;
    fetch(src + (src.indexOf("?") < 0 ? "?" : "&") + "part=1", {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
      .then(function (html) { note.outerHTML = html; })
      .catch(function () { note.classList.add("ovop-wb-err"); });
  });
  document.addEventListener("submit", function (ev) {
    if (ev.target.id === "editor") { rename(ev.target); }
  });
})();
