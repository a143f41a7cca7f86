// The assessor desk: the form posted to the evaluate API on every change; errors beside their fields.
// Served by the site itself (/-/ovop/assess/desk.js); no library, no CDN.
(function () {
  "use strict";
  var page = document.getElementById("ovop-desk");
  if (!page) { return; }
  var form = document.getElementById("ovop-form");
  var base = (document.querySelector('script[src$="/-/ovop/assess/desk.js"]') || {}).src || "";
  var root = base.replace(/\/-\/ovop\/assess\/desk\.js.*$/, "");
  var last = null, lastErrors = null, timer = null, seq = 0;
  var T = {
    id: {awarded: "DIBERIKAN", not_awarded: "TIDAK MENDAPAT BINTANG", ineligible: "TIDAK MEMENUHI SYARAT ADMINISTRASI",
         of: "dari", stars: "bintang", score: "Skor", capped: "dibatasi dari", failed: "Gagal", errors: "Perbaiki dulu",
         empty: "belum diisi", way: "Cara", takes: "Yang dibutuhkan untuk bintang berikutnya", top: "Sudah di bintang tertinggi.",
         then: "Bila syarat dipenuhi", server: "waktu server", uploaded: "Hasil berkas",
         saved: "Disimpan", version: "versi", by: "oleh", at: "pada", unchanged: "tidak berubah sejak versi ini",
         notSaved: "Tidak disimpan", allowed: "boleh"},
    en: {awarded: "AWARDED", not_awarded: "NOT AWARDED", ineligible: "INELIGIBLE",
         of: "of", stars: "stars", score: "Score", capped: "capped from", failed: "Failed", errors: "Fix first",
         empty: "not filled in yet", way: "Way", takes: "What it takes to reach the next star", top: "Already at the top star.",
         then: "Once the gates are met", server: "server time", uploaded: "File results",
         saved: "Saved", version: "version", by: "by", at: "at", unchanged: "unchanged since this version",
         notSaved: "Not saved", allowed: "allowed"}
  };
  function lang() { return page.getAttribute("data-lang") || "id"; }
  function setLang(l) {
    page.setAttribute("data-lang", l);
    document.documentElement.setAttribute("lang", l);
    Array.prototype.forEach.call(document.querySelectorAll("[data-set-lang]"), function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-set-lang") === l ? "true" : "false");
    });
    Array.prototype.forEach.call(form.querySelectorAll("option[data-id]"), function (o) {
      o.textContent = o.getAttribute("data-" + l);
    });
    try { localStorage.setItem("ovop-lang", l); } catch (e) { /* private mode */ }
    if (last) { render(last); }
    else if (lastErrors) { clearErrors(); showErrors(lastErrors); }
  }
  function num(text) {
    var t = text.trim();
    if (/^-?\d+,\d+$/.test(t)) { t = t.replace(",", "."); }
    return /^-?\d+(\.\d+)?$/.test(t) ? t : JSON.stringify(text);
  }
  function put(obj, path, raw) {
    var parts = path.split("."), node = obj;
    for (var i = 0; i < parts.length - 1; i++) { node = node[parts[i]] = node[parts[i]] || {}; }
    node[parts[parts.length - 1]] = raw;
  }
  function emit(node) {
    if (typeof node === "string") { return node; }
    return "{" + Object.keys(node).map(function (k) { return JSON.stringify(k) + ": " + emit(node[k]); }).join(", ") + "}";
  }
  function collect() {
    var data = {id: null, edition: JSON.stringify(page.getAttribute("data-edition")),
                ikm: {commodity: JSON.stringify(page.getAttribute("data-commodity"))}, gates: {}, evidence: {}};
    Array.prototype.forEach.call(form.querySelectorAll("[data-path]"), function (el) {
      var v = el.value, kind = el.getAttribute("data-kind"), path = el.getAttribute("data-path");
      if (v === "") { return; }
      if (kind === "boolean") { put(data, path, v === "true" ? "true" : "false"); }
      else if (kind === "integer" || kind === "number") { put(data, path, num(v)); }
      else { put(data, path, JSON.stringify(v)); }
    });
    if (data.id === null) { delete data.id; }
    if (data.previous && !data.previous.edition) { delete data.previous; }
    return emit(data);
  }
  function clearErrors() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-err]"), function (s) { s.textContent = ""; s.className = "ovop-err"; });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (el) { el.removeAttribute("aria-invalid"); });
    document.getElementById("ovop-errors").textContent = "";
  }
  // The field an error is about: "evidence" + missing evidence "merek" -> "evidence.merek"; the checks
  // already name a missing key's field in full (ikm.name + missing required key "name" -> "ikm.name").
  function fieldOf(e) {
    var m = /^missing (?:evidence|gate fact) "([^"]+)"/.exec(e.message_en || "");
    if (m && e.field) { return e.field + "." + m[1]; }
    m = /^missing required key "([^"]+)"/.exec(e.message_en || "");
    if (m && !e.field) { return m[1]; }
    if (m && e.field.split(".").pop() !== m[1]) { return e.field + "." + m[1]; }
    return e.field || "";
  }
  // The CLI's words (engine/inputs/messages.py) in the page's language: the API answers message and allowed
  // in Indonesian (the desk asks for it) with message_en and allowed_en beside them.
  function words(e) {
    var en = lang() === "en", msg = en ? e.message_en : e.message, allowed = en ? e.allowed_en : e.allowed;
    return (msg || "") + (allowed ? " — " + T[lang()].allowed + ": " + allowed : "");
  }
  function said(e) {
    var field = fieldOf(e);
    return (e.where ? e.where + ": " : "") + (e.id ? e.id + ": " : "") + (field ? field + ": " : "") + words(e);
  }
  function showErrors(errors) {
    var list = document.getElementById("ovop-errors"), missing = 0;
    lastErrors = errors;
    errors.forEach(function (e) {
      var field = fieldOf(e), span = document.querySelector('[data-err="' + field + '"]');
      var isMissing = /^missing /.test(e.message_en || "");
      var text = isMissing ? T[lang()].empty : words(e);
      if (isMissing) { missing++; }
      if (span) {
        span.textContent = text;
        span.className = "ovop-err " + (isMissing ? "ovop-missing" : "ovop-wrong");
        var input = form.querySelector('[data-path="' + field + '"]');
        if (input && !isMissing) { input.setAttribute("aria-invalid", "true"); }
      } else {
        var li = document.createElement("li");
        li.textContent = said(e);
        list.appendChild(li);
      }
    });
    var s = document.getElementById("ovop-summary"), wrong = errors.length - missing, parts = [];
    if (wrong) { parts.push(wrong + " ✗"); }
    if (missing) { parts.push(missing + " " + T[lang()].empty); }
    s.textContent = T[lang()].errors + ": " + parts.join(", ") + ".";
    s.setAttribute("data-state", "errors");
    // nothing of the last outcome stays beside an error: the ways and the explanation were for other answers
    document.getElementById("ovop-ways").textContent = "";
    document.getElementById("ovop-explain").textContent = "";
  }
  function starsBar(n, scale) {
    var out = "";
    for (var i = 0; i < scale; i++) { out += i < n ? "★" : "☆"; }
    return out;
  }
  function fmt(x) { return x === null || x === undefined ? "–" : (lang() === "id" ? String(x).replace(".", ",") : String(x)); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function render(o) {
    var t = T[lang()], scale = +page.getAttribute("data-scale"), s = document.getElementById("ovop-summary");
    s.textContent = "";
    s.setAttribute("data-state", o.status);
    var stars = el("span", "ovop-stars", starsBar(o.stars || 0, scale));
    stars.id = "ovop-stars";
    stars.setAttribute("data-stars", String(o.stars || 0));
    s.appendChild(stars);
    s.appendChild(el("strong", "", " " + (o.stars || 0) + " " + t.of + " " + scale + " " + t.stars));
    s.appendChild(el("span", "ovop-status", " — " + t[o.status]));
    if (o.capped) { s.appendChild(el("span", "ovop-capped", " (" + t.capped + " " + o.band_stars + ")")); }
    if (o.score !== null) { s.appendChild(el("div", "", t.score + ": " + fmt(o.score))); }
    if (o.gates_failed.length) { s.appendChild(el("div", "ovop-failed", t.failed + ": " + o.gates_failed.join(", "))); }
    renderWays(o);
    document.getElementById("ovop-explain").textContent = o.explanation[lang()];
  }
  function shown(evidence, value) {
    var opt = typeof value === "string" ? form.querySelector('[data-path="evidence.' + evidence + '"] option[value="' + value + '"]') : null;
    return opt ? opt.getAttribute("data-" + lang()) : fmt(value);
  }
  function fieldName(evidence) {  // "B1 Jangkauan pasar", as the form labels the field
    var span = document.querySelector('label[for="f-evidence.' + evidence + '"] span[lang="' + lang() + '"]');
    return span ? span.textContent : evidence;
  }
  function renderWays(o) {
    var box = document.getElementById("ovop-ways"), t = T[lang()], a = o.ahead;
    box.textContent = "";
    if (!a) { box.appendChild(el("p", "", o.stars ? t.top : "")); return; }
    if (a.target === "eligible") {
      var p = el("p", "", t.then + ": " + t.score + " " + fmt(a.then.score) + ", " + (a.then.stars || 0) + " " + t.of + " " + page.getAttribute("data-scale") + " " + t.stars);
      box.appendChild(p);
      return;
    }
    box.appendChild(el("h3", "", t.takes + " (" + a.target_stars + "★)"));
    var ol = el("ol", "ovop-ways");
    a.ways.forEach(function (w) {
      var li = el("li", "", w.changes.map(function (c) { return c.criterion + " " + fieldName(c.evidence) + ": " + shown(c.evidence, c.from) + " → " + shown(c.evidence, c.to); }).join("; ")
                  + " — " + t.score + " " + fmt(w.score_after));
      ol.appendChild(li);
    });
    box.appendChild(ol);
  }
  function evaluate() {
    var mine = ++seq, body = collect(), started = performance.now();
    fetch(root + "/-/ovop/evaluate", {method: "POST", headers: {"Content-Type": "application/json"}, body: body})
      .then(function (r) { return r.json().then(function (d) { return {status: r.status, data: d}; }); })
      .then(function (res) {
        if (mine !== seq) { return; }
        clearErrors();
        page.setAttribute("data-ms", String(Math.round(performance.now() - started)));
        if (res.status === 200) { last = res.data[0]; lastErrors = null; render(last); }
        else { last = null; showErrors(res.data.errors || []); }
        page.setAttribute("data-evaluated", String(mine));
      });
  }
  function changed() { clearTimeout(timer); timer = setTimeout(evaluate, 120); }
  function download(fmtName) {
    fetch(root + "/-/ovop/assess/download?format=" + fmtName, {method: "POST", body: collect()})
      .then(function (r) { return r.blob().then(function (b) { return {r: r, b: b}; }); })
      .then(function (x) {
        var cd = x.r.headers.get("Content-Disposition") || "", m = /filename="([^"]+)"/.exec(cd);
        var a = document.createElement("a");
        a.href = URL.createObjectURL(x.b);
        a.download = m ? m[1] : "penilaian." + fmtName;
        document.body.appendChild(a); a.click(); a.remove();
      });
  }
  function upload(file) {
    var out = document.getElementById("ovop-upload-result");
    out.textContent = "";
    fetch(root + "/-/ovop/assess/upload?name=" + encodeURIComponent(file.name), {method: "POST", body: file})
      .then(function (r) { return r.json().then(function (d) { return {status: r.status, data: d}; }); })
      .then(function (res) {
        var ul = el("ul", res.status === 200 ? "ovop-upload-ok" : "ovop-errors");
        if (res.status === 200) {
          res.data.forEach(function (o) {
            ul.appendChild(el("li", "", o.id + ": " + starsBar(o.stars || 0, +page.getAttribute("data-scale")) + " " + T[lang()][o.status] + (o.score !== null ? ", " + fmt(o.score) : "")));
          });
        } else {
          res.data.errors.forEach(function (e) {
            ul.appendChild(el("li", "", said(e)));
          });
        }
        out.appendChild(el("h3", "", T[lang()].uploaded));
        out.appendChild(ul);
      });
  }
  function save() {
    var bar = document.getElementById("ovop-save-bar"), out = document.getElementById("ovop-save-result");
    out.textContent = "";
    fetch(root + "/-/ovop/assess/save", {method: "POST", credentials: "same-origin", body: collect(),
      headers: {"Content-Type": "application/json", "x-csrftoken": bar.getAttribute("data-csrftoken")}})
      .then(function (r) { return r.json().then(function (d) { return {status: r.status, data: d}; }); })
      .then(function (res) {
        var t = T[lang()];
        if (res.status === 200) {
          var s = res.data.saved;
          out.className = "ovop-saved";
          out.textContent = t.saved + ": " + s.assessment + ", " + t.version + " " + s.version + " " + t.by + " " + s.user +
            " " + t.at + " " + s.when + (s.unchanged ? " (" + t.unchanged + ")" : "");
        } else {
          out.className = "ovop-errors";
          out.appendChild(el("strong", "", t.notSaved + ": "));
          (res.data.errors || []).forEach(function (e) { out.appendChild(el("div", "", said(e))); });
        }
        page.setAttribute("data-saved", String(res.status));
      });
  }
  window.ovopDesk = {words: words, fieldOf: fieldOf, setLang: function (l) { setLang(l); }};  // for the tests
  var saveButton = document.getElementById("ovop-save");
  if (saveButton) { saveButton.addEventListener("click", save); }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  Array.prototype.forEach.call(document.querySelectorAll("[data-set-lang]"), function (b) {
    b.addEventListener("click", function () { setLang(b.getAttribute("data-set-lang")); });
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-download]"), function (b) {
    b.addEventListener("click", function () { download(b.getAttribute("data-download")); });
  });
  document.getElementById("ovop-upload").addEventListener("change", function (e) { if (e.target.files[0]) { upload(e.target.files[0]); } });
  var saved = null;
  try { saved = localStorage.getItem("ovop-lang"); } catch (e) { /* private mode */ }
  setLang(saved === "en" ? "en" : "id");
  evaluate();
})();
