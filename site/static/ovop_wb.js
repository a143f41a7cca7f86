// Criteria workbench: add, remove and reorder rows; field names follow the rows' order when the form is sent.
(function () {
  "use strict";
  function items(list) { return Array.prototype.filter.call(list.children, function (c) { return c.hasAttribute("data-item"); }); }
  function nameOf(el, form, index) {
    var parts = [];
    for (var n = el; n && n !== form; n = n.parentElement) {
      if (n === el && n.dataset.f) { parts.unshift(n.dataset.f); continue; }
      if (n.hasAttribute("data-item")) {
        parts.unshift(String(index && index.has(n) ? index.get(n) : items(n.parentElement).indexOf(n)));
      }
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
    var index = new Map();  // each row's place in its list, counted once
    form.querySelectorAll("[data-list]").forEach(function (list) {
      items(list).forEach(function (item, i) { index.set(item, i); });
    });
    form.querySelectorAll("[data-f]").forEach(function (el) {
      if (el.closest("template") || !el.name || el.name.indexOf("e.") !== 0) { return; }
      var name = nameOf(el, form, index);
      if (el.name !== name) { el.name = name; }
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
  function loadImpact() {
    document.querySelectorAll("[data-impact-src]").forEach(function (note) {
      var src = note.dataset.impactSrc;
      note.removeAttribute("data-impact-src");
      fetch(src + (src.indexOf("?") < 0 ? "?" : "&") + "part=1", {credentials: "same-origin"})
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
        .then(function (html) { if (note.parentNode) { note.outerHTML = html; } })
        .catch(function () { note.classList.add("ovop-wb-err"); });
    });
  }
  loadImpact();

  // ---- a save in place: the form posted with fetch (POST …/save?part=1, the same fields and CSRF token);
  // the answer carries what changes: the panels, each field's messages, the version token (conflicts)
  function esc(s) { return window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/["\\]/g, "\\$&"); }
  function isPart(n) { return n.hasAttribute("data-item") || n.hasAttribute("data-list") || n.hasAttribute("data-obj"); }
  // the row, table or object a path names (each of them adds one part to its fields' names, see nameOf)
  function nodeOf(root, key) {
    var el = root.querySelector("[name^='e." + esc(key + ".") + "']");
    if (el) {
      var want = el.name.slice(key.length + 3).split(".").length + 1, count = 0;
      for (var n = el; n && n !== root; n = n.parentElement) {
        if ((n === el && n.dataset.f) || (n !== el && isPart(n))) { count += 1; }
        if (count === want) { return n; }
      }
      return null;
    }
    var cut = key.lastIndexOf("."), last = key.slice(cut + 1);  // nothing named inside: an empty table
    var parent = cut < 0 ? root.querySelector("#s-" + esc(key)) : nodeOf(root, key.slice(0, cut));
    if (!parent) { return null; }
    return parent.querySelector("[data-list='" + esc(last) + "'], [data-obj='" + esc(last) + "']") || parent;
  }
  // where the server's form (engine/web/form.py) puts the messages of a field, a row, a table, an object
  function spot(root, key) {
    var el = root.querySelector("[name='e." + esc(key) + "']");
    if (el) {
      var p = el.parentElement;
      return p.matches(".ovop-wb-pair, .ovop-wb-prov") ? [p, null] : [p, el.nextSibling];
    }
    var n = nodeOf(root, key);
    if (!n) { return null; }
    if (n.matches("[data-item]")) {
      var tools = n.querySelector(":scope > .ovop-wb-tools");
      return n.classList.contains("ovop-wb-card") ? [n, tools ? tools.nextSibling : n.firstChild] : [n.lastElementChild, null];
    }
    if (n.matches("[data-list]")) { return [n.closest("fieldset, section"), null]; }
    if (n.matches(".ovop-wb-pair, .ovop-wb-prov")) { return [n.parentElement, n.nextSibling]; }
    return [n, null];
  }
  function place(root, key, messages) {
    var at = spot(root, key);
    if (!at || !at[0]) { return; }
    messages.forEach(function (text) {
      var box = document.createElement("div");
      box.className = "ovop-wb-err";
      box.setAttribute("role", "alert");
      box.textContent = text;
      at[0].insertBefore(box, at[1]);
    });
  }
  // every provenance's list of sources follows the saved sources (a source just added can be chosen)
  function sources(fields, keys) {
    Array.prototype.forEach.call(fields.querySelectorAll("select[data-f=source]"), function (sel) {
      var chosen = sel.value, want = [""].concat(keys, chosen && keys.indexOf(chosen) < 0 ? [chosen] : []);
      var have = Array.prototype.map.call(sel.options, function (o) { return o.text; });
      if (have.join("\n") === want.join("\n")) { return; }
      sel.textContent = "";
      want.forEach(function (t) { sel.appendChild(new Option(t, t, false, t === chosen)); });
    });
  }
  function apply(form, data) {
    var parts = document.createElement("template");
    parts.innerHTML = data.html;
    Array.prototype.forEach.call(parts.content.querySelectorAll("[data-slot]"), function (part) {
      var here = document.getElementById(part.dataset.slot);
      if (here) { here.innerHTML = part.innerHTML; }
    });
    var fields = document.getElementById("wb-fields");
    if (data.form !== null) {
      fields.innerHTML = data.form;
    } else {
      Array.prototype.forEach.call(fields.querySelectorAll(".ovop-wb-err"), function (e) { e.parentNode.removeChild(e); });
      sources(fields, data.sources);
      data.values.forEach(function (nv) {
        var el = fields.querySelector("[name='" + esc(nv[0]) + "']");
        if (el) { el.value = nv[1]; }
      });
      data.errors.forEach(function (e) { place(fields, e[0], e[1]); });
    }
    form.querySelector("input[name=version]").value = data.version;
    var shown = document.querySelector(".ovop-wb-version");
    if (shown) { shown.textContent = data.version.slice(0, 12); }
    loadImpact();
    if (data.conflict) { document.getElementById("wb-conflict").scrollIntoView({block: "start"}); }
    form.dataset.saves = String((Number(form.dataset.saves) || 0) + 1);
    form.dataset.savedVersion = data.version;  // last: the checks, the diff and the fields are in place
  }
  var busy = false;
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.id !== "editor") { return; }
    rename(form);
    if (!window.fetch || !window.URLSearchParams || !window.FormData || !document.getElementById("wb-fields")) { return; }
    ev.preventDefault();  // without script the plain POST answers with the whole page
    if (busy) { return; }
    busy = true;
    form.setAttribute("aria-busy", "true");
    var done = function () { busy = false; form.removeAttribute("aria-busy"); };
    fetch(form.action + "?part=1", {method: "POST", body: new URLSearchParams(new FormData(form)),
                                    credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) {
        if ((r.headers.get("content-type") || "").indexOf("application/json") !== 0) { throw new Error(String(r.status)); }
        return r.json();
      })
      .then(function (data) {
        try { apply(form, data); } catch (e) { window.location.assign(form.action.replace(/\/save$/, "")); }  // the saved page
        done();
      }, function () { done(); form.submit(); });  // refused, signed out, the server down: its own page says why
  });
})();
