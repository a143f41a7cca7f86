"""The draft editor's form: one spec of every section, shaped like the criteria tables (CRITERIA.md), used
both to render the form (HTML with the field names of the effective edition: `bands.0.min_score`,
`criteria.3.levels.1.when`) and to read a posted form back into an effective edition.

A value that does not parse (a number field holding "8o") is kept as written: the save goes through,
and the check reports it beside its field. Each diagnostic is shown at the deepest field, row or table
its path reaches; those that reach none are listed above the form.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from ..rules import limits

STATUSES = ["sourced", "assumed"]
# field specs: (name, kind, options); kinds: text req int num codes reqbool applies select label prov
# obj (fields) table (columns) cards (fields) map (value kind)
PROV = ("provenance", "prov", None)
OPT_PROV = ("provenance", "optprov", None)
LABEL = ("label", "label", None)
LEVEL_COLS = [("points", "int", None), ("when", "text", None), ("codes", "codes", None), OPT_PROV]
EVIDENCE = [("name", "req", None), ("type", "select", ["number", "integer", "enum"]), ("unit", "text", None),
            ("min", "num", None), ("max", "num", None), LABEL,
            ("codes", "table", [("code", "req", None), LABEL])]
SPEC = [
    ("title", "label", None),
    ("legal_basis", "obj", [("text", "req", None), PROV]),
    ("star_scale", "obj", [("min", "int", None), ("max", "int", None), PROV]),
    ("commodities", "table", [("code", "req", None), LABEL, PROV]),
    ("gates", "cards", [("fact", "req", None), ("type", "select", ["boolean", "integer", "number"]),
                        ("requires", "reqbool", None), ("applies_to", "applies", None), ("min", "num", None),
                        ("max", "num", None), LABEL, PROV]),
    ("groups", "cards", [("id", "req", None), ("max_points", "int", None), LABEL, PROV,
                         ("aspects", "table", [("id", "req", None), ("max_points", "int", None), LABEL])]),
    ("score", "obj", [("method", "select", ["points_over_max", "weighted"]), ("weights", "map", "num"), PROV]),
    ("bands", "table", [("stars", "int", None), ("min_score", "num", None), PROV]),
    ("criteria", "cards", [("id", "req", None), ("group", "req", None), ("aspect", "text", None), LABEL, PROV,
                           ("evidence", "obj", EVIDENCE), ("levels", "table", LEVEL_COLS)]),
    ("caps", "cards", [("id", "req", None), ("max_stars", "int", None), LABEL, PROV,
                       ("requires", "table", [("evidence", "req", None), ("in", "codes", None),
                                              ("when", "text", None)])]),
    ("consequences", "obj", [
        ("pembina", "table", [("min_stars", "int", None), ("value", "req", None), LABEL, PROV]),
        ("label_kemasan", "obj", [("min_stars", "int", None), PROV]),
        ("kandidat_go_global", "obj", [("min_stars", "int", None), PROV]),
        ("movement", "obj", [PROV])]),
    ("sources", "map", [("title", "req", None), ("url", "req", None)]),
]
def _both(name: str) -> str:
    """A column's caption, Indonesian / English (the label a narrow screen shows above each cell)."""
    id_text, en_text = CAPTIONS.get(name, (name, name))
    return id_text if id_text == en_text else f"{id_text} / {en_text}"


CAPTIONS = {
    "title": ("Judul", "Title"), "legal_basis": ("Dasar hukum", "Legal basis"), "star_scale": ("Skala bintang", "Star scale"),
    "commodities": ("Komoditas", "Commodities"), "gates": ("Syarat administrasi", "Gates"),
    "groups": ("Kelompok", "Groups"), "score": ("Metode skor dan bobot", "Score method and weights"),
    "bands": ("Pita bintang", "Star bands"), "criteria": ("Kriteria", "Criteria"), "caps": ("Batas bintang", "Caps"),
    "consequences": ("Konsekuensi", "Consequences"), "sources": ("Sumber", "Sources"),
    "text": ("Teks", "Text"), "min": ("Min", "Min"), "max": ("Maks", "Max"), "code": ("Kode", "Code"),
    "label": ("Label", "Label"), "provenance": ("Asal", "Provenance"), "fact": ("Fakta", "Fact"),
    "type": ("Jenis", "Type"), "requires": ("Syarat", "Requires"), "applies_to": ("Berlaku untuk", "Applies to"),
    "id": ("Id", "Id"), "max_points": ("Poin maks", "Max points"), "aspects": ("Aspek", "Aspects"),
    "method": ("Metode", "Method"), "weights": ("Bobot", "Weights"), "stars": ("Bintang", "Stars"),
    "min_score": ("Skor minimum", "Minimum score"), "group": ("Kelompok", "Group"), "aspect": ("Aspek", "Aspect"),
    "evidence": ("Bukti", "Evidence"), "levels": ("Level", "Levels"), "points": ("Poin", "Points"),
    "when": ("Kondisi (x)", "Condition (x)"), "codes": ("Kode", "Codes"), "name": ("Nama", "Name"),
    "unit": ("Satuan", "Unit"), "max_stars": ("Bintang maks", "Max stars"), "in": ("Salah satu kode", "In codes"),
    "pembina": ("Pembina", "Coaching"), "label_kemasan": ("Label kemasan", "Star on packaging"),
    "kandidat_go_global": ("Kandidat Go Global", "Go Global candidate"), "movement": ("Pergerakan", "Movement"),
    "min_stars": ("Bintang min", "Min stars"), "value": ("Nilai", "Value"), "url": ("Alamat", "URL"),
    "key": ("Kunci", "Key"),
}
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def cap(name: str) -> Markup:
    i, e = CAPTIONS.get(name, (name, name))
    return Markup('<span lang="id">{}</span> <span lang="en" class="en">{}</span>').format(i, e) if i != e \
        else Markup('<span>{}</span>').format(i)


# ---- reading a posted form --------------------------------------------------------------------

def unflatten(pairs: list[tuple[str, str]]) -> dict:
    tree: dict = {}
    for name, value in pairs:
        parts, node = name.split("."), tree
        for p in parts[:-1]:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                break
        else:
            node[parts[-1]] = value
    return tree


def read(pairs: list[tuple[str, str]], head: dict) -> dict:
    """An effective edition from form fields (names as rendered); `head`: edition, extends, status."""
    tree = unflatten([(k[2:], v) for k, v in pairs if k.startswith("e.")])
    out = dict(head)
    for name, kind, opts in SPEC:
        value = _read(tree.get(name), kind, opts)
        if value is not None:
            out[name] = value
    return out


def _items(node: Any) -> list:
    if not isinstance(node, dict):
        return []
    return [node[k] for k in sorted((k for k in node if k.isdigit()), key=int)]


def _read(node: Any, kind: str, opts: Any) -> Any:
    if kind in ("obj",):
        if not isinstance(node, dict):
            return None
        out = {}
        for name, k, o in opts:
            v = _read(node.get(name), k, o)
            if v is not None:
                out[name] = v
        return out or None
    if kind in ("table", "cards"):
        rows = [_read(item, "obj", opts) for item in _items(node)]
        return [r for r in rows if r] if node is not None else None
    if kind == "map":
        rows = _items(node)
        out = {}
        for r in rows:
            key = (r.get("key") or "").strip()
            if not key:
                continue
            out[key] = _read(r, "obj", opts) if isinstance(opts, list) else _scalar(r.get("value"), opts)
        return out if node is not None else None
    if kind == "label":
        if not isinstance(node, dict):
            return None
        return {"id": (node.get("id") or "").strip(), "en": (node.get("en") or "").strip()}
    if kind in ("prov", "optprov"):
        if not isinstance(node, dict) or (kind == "optprov" and not node.get("status")):
            return None
        out = {"status": node.get("status") or ""}
        for key in ("source", "note"):
            if (node.get(key) or "").strip():
                out[key] = node[key].strip()
        return out
    return _scalar(node, kind)


def _scalar(text: Any, kind: str) -> Any:
    if not isinstance(text, str):
        return None
    text = text.strip()
    if kind == "req":
        return text
    if text == "":
        return None
    if kind in ("int", "num"):
        if NUMBER.match(text) and not limits.number_problem(text):  # 5,000 digits: left as text, refused as such
            return int(text) if "." not in text else float(text)
        return text
    if kind == "codes":
        return [c.strip() for c in text.split(",") if c.strip()]
    if kind == "reqbool":
        return {"true": True, "false": False}.get(text.lower(), text)
    if kind == "applies":
        return "all" if text == "all" else [c.strip() for c in text.split(",") if c.strip()]
    return text


# ---- rendering ---------------------------------------------------------------------------------
# Built as plain strings with every value escaped (markupsafe.escape), one Markup at the end: a form of
# ~2,800 fields renders in tens of milliseconds (Markup.format per field took several times as long).

def _e(value: Any) -> str:
    return str(escape(value))


@lru_cache(maxsize=512)
def _cap(name: str) -> str:
    return str(cap(name))


TOOLS = ('<span class="ovop-wb-tools"><button type="button" data-do="up" title="naik / up">↑</button>'
         '<button type="button" data-do="down" title="turun / down">↓</button>'
         '<button type="button" data-do="del" title="hapus / remove">✕</button></span>')
ADD = '<button type="button" class="ovop-wb-add" data-do="add">+ tambah baris / add row</button><template>{}</template>'
ANCHOR = re.compile("\x00([^\x00]*)\x00")


class Renderer:
    """HTML of the form; `errors` (path -> messages) are placed at the deepest anchor each path reaches."""

    def __init__(self, sources: list[str], readonly: bool = False):
        self.sources, self.readonly, self.anchors, self.alias = sources, readonly, set(), {}
        self._sources_html: dict[str, str] = {}

    def form(self, data: dict, errors: dict[str, list[str]]) -> tuple[Markup, list[str]]:
        parts = []
        for name, kind, opts in SPEC:
            body = self.field(name, kind, opts, data.get(name), (name,))
            parts.append(f'<section class="ovop-wb-section" id="s-{_e(name)}"><h2>{_cap(name)}</h2>{body}</section>')
        html = "".join(parts)
        placed, loose = {}, []
        for path, messages in errors.items():
            anchor = self._anchor(path)
            if anchor is None:
                loose += messages
            else:
                placed.setdefault(anchor, []).extend(messages)
        boxes = {a: "".join(f'<div class="ovop-wb-err" role="alert">{_e(m)}</div>' for m in ms) for a, ms in placed.items()}
        html = ANCHOR.sub(lambda m: boxes.get(m.group(1), ""), html)
        return Markup(html), loose

    def _anchor(self, path: str) -> str | None:
        parts = path.split(".")
        while parts:
            key = ".".join(parts)
            key = next((a + key[len(k):] for k, a in self.alias.items() if key == k or key.startswith(k + ".")), key)
            if key in self.anchors:
                return key
            parts.pop()
        return None

    def _mark(self, path: tuple) -> str:
        key = ".".join(map(str, path))
        self.anchors.add(key)
        return f"\x00{key}\x00"

    def name(self, path: tuple) -> str:
        return "e." + ".".join(map(str, path))

    def field(self, name: str, kind: str, opts: Any, value: Any, path: tuple) -> str:
        mark = self._mark(path)
        if kind == "obj":
            inner = "".join(self.cell(n, k, o, (value or {}).get(n) if isinstance(value, dict) else None, path + (n,))
                            for n, k, o in opts)
            return f'<div class="ovop-wb-obj" data-obj="{_e(name)}">{inner}{mark}</div>'
        if kind in ("table", "cards"):
            return self.table(name, kind, opts, value if isinstance(value, list) else [], path) + mark
        if kind == "map":
            return self.map(name, opts, value if isinstance(value, dict) else {}, path) + mark
        return self.input(name, kind, opts, value, path) + mark

    def cell(self, name, kind, opts, value, path) -> str:
        body = self.field(name, kind, opts, value, path)
        if kind in ("obj", "table", "cards", "map"):
            return f'<fieldset class="ovop-wb-sub"><legend>{_cap(name)}</legend>{body}</fieldset>'
        return f'<label class="ovop-wb-f"><span class="cap">{_cap(name)}</span>{body}</label>'

    def input(self, name: str, kind: str, opts: Any, value: Any, path: tuple) -> str:
        ro = " readonly" if self.readonly else ""
        if kind == "label":
            v = value if isinstance(value, dict) else {}
            return (f'<span class="ovop-wb-pair" data-obj="{_e(name)}">'
                    f'<input name="{_e(self.name(path + ("id",)))}" data-f="id" value="{_e(v.get("id", ""))}" lang="id" '
                    f'placeholder="Indonesia"{ro}>'
                    f'<input name="{_e(self.name(path + ("en",)))}" data-f="en" value="{_e(v.get("en", ""))}" lang="en" '
                    f'placeholder="English"{ro}>{self._mark(path + ("id",))}{self._mark(path + ("en",))}</span>')
        if kind in ("prov", "optprov"):
            return self.prov(name, kind, value, path)
        if kind == "select":
            options = ([""] if value not in opts else []) + list(opts)
            html = "".join(f'<option{" selected" if o == value else ""}>{_e(o)}</option>' for o in options)
            return (f'<select name="{_e(self.name(path))}" data-f="{_e(name)}"{" disabled" if self.readonly else ""}>'
                    f'{html}</select>')
        return f'<input name="{_e(self.name(path))}" data-f="{_e(name)}" value="{_e(_text(value))}" class="k-{_e(kind)}"{ro}>'

    def _source_options(self, chosen: str) -> str:
        if chosen not in self._sources_html:
            srcs = [""] + self.sources + ([chosen] if chosen and chosen not in self.sources else [])
            self._sources_html[chosen] = "".join(f'<option{" selected" if o == chosen else ""}>{_e(o)}</option>'
                                                 for o in srcs)
        return self._sources_html[chosen]

    def prov(self, name, kind, value, path) -> str:
        v = value if isinstance(value, dict) else {}
        status = v.get("status", "")
        opts = ([""] if kind == "optprov" or status not in STATUSES else []) + STATUSES
        st = "".join(f'<option{" selected" if o == status else ""}>{_e(o)}</option>' for o in opts)
        return (f'<span class="ovop-wb-prov" data-obj="{_e(name)}">'
                f'<select name="{_e(self.name(path + ("status",)))}" data-f="status" title="asal / provenance">{st}</select>'
                f'<select name="{_e(self.name(path + ("source",)))}" data-f="source" title="sumber / source">'
                f'{self._source_options(v.get("source", ""))}</select>'
                f'<input name="{_e(self.name(path + ("note",)))}" data-f="note" value="{_e(v.get("note", ""))}" '
                f'placeholder="catatan / note">{self._mark(path + ("source",))}</span>')

    def row(self, kind: str, opts: list, item: Any, path: tuple) -> str:
        item = item if isinstance(item, dict) else {}
        tools = "" if self.readonly else TOOLS
        mark = self._mark(path)
        if kind == "cards":
            inner = "".join(self.cell(n, k, o, item.get(n), path + (n,)) for n, k, o in opts)
            return f'<div class="ovop-wb-card" data-item>{tools}{mark}{inner}</div>'
        cells = "".join(f'<td data-label="{_e(_both(n))}">{self.field(n, k, o, item.get(n), path + (n,))}</td>'
                        for n, k, o in opts)
        return f'<tr data-item>{cells}<td class="t">{tools}{mark}</td></tr>'

    def table(self, name: str, kind: str, opts: list, rows: list, path: tuple) -> str:
        body = "".join(self.row(kind, opts, item, path + (i,)) for i, item in enumerate(rows))
        if self.readonly:
            add = ""
        else:
            blank = Renderer(self.sources).row(kind, opts, {}, path + ("__new__",))
            add = ADD.format(ANCHOR.sub("", blank))
        if kind == "cards":
            return f'<div class="ovop-wb-cards" data-list="{_e(name)}">{body}</div>{add}'
        head = "".join(f"<th>{_cap(n)}</th>" for n, _, _ in opts)
        return (f'<div class="ovop-wb-tablewrap"><table class="ovop-wb-table"><thead><tr>{head}<th></th></tr></thead>'
                f'<tbody data-list="{_e(name)}">{body}</tbody></table>{add}</div>')

    def map(self, name: str, opts: Any, value: dict, path: tuple) -> str:
        cols = [("key", "req", None)] + (opts if isinstance(opts, list) else [("value", opts, None)])
        rows = [dict({"key": k}, **(v if isinstance(v, dict) else {"value": v})) for k, v in value.items()]
        html = self.table(name, "table", cols, rows, path)
        # anchors by key too (a diagnostic names sources.ovop_2024.url, weights.A)
        for i, k in enumerate(value):
            self.alias[".".join(map(str, path + (k,)))] = ".".join(map(str, path + (i,)))
        return html


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)
