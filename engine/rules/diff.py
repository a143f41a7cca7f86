"""The semantic difference between two resolved editions: what a policy change changes.

Items are compared by their ids (criteria by id, bands by stars, levels by points, ...), never by
position, and conditions by the values they admit ("x>=8" is "x >= 8"); so reordering items or
reformatting a file is no change. Every change is one leaf: a field changed, or an item added or
removed. `kind` sorts them: "rule" (what decides stars), "provenance" (where a rule comes from)
and "label" (titles, labels and notes: text only).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .conditions import Interval
from .model import Edition

SECTIONS = ["title", "legal_basis", "sources", "star_scale", "commodities", "gates", "groups", "criteria",
            "score", "bands", "caps", "consequences"]
KEYED = {"commodities": "code", "gates": "fact", "groups": "id", "aspects": "id", "criteria": "id",
         "levels": "points", "codes": "code", "bands": "stars", "caps": "id", "requires": "evidence",
         "pembina": "value"}
ITEMIZED = {"sources", "commodities", "gates", "groups", "criteria", "bands", "caps", "consequences"}
CONDITIONS = {"when", "requires"}

NOUNS = {
    "sources": ("sumber", "source"), "commodities": ("komoditas", "commodity"), "gates": ("syarat", "gate"),
    "groups": ("kelompok", "group"), "criteria": ("kriteria", "criterion"), "bands": ("bintang", "stars band"),
    "caps": ("batas", "cap"), "consequences": ("konsekuensi", "consequence"), "title": ("judul", "title"),
    "legal_basis": ("dasar hukum", "legal basis"), "star_scale": ("skala bintang", "star scale"),
    "score": ("skor", "score"),
}
WORDS = {
    "max_points": ("poin maksimum", "max points"), "min_score": ("skor minimum", "minimum score"),
    "max_stars": ("bintang maksimum", "max stars"), "min_stars": ("bintang minimum", "min stars"),
    "applies_to": ("berlaku untuk", "applies to"), "requires": ("syarat", "requires"), "weights": ("bobot", "weights"),
    "method": ("metode", "method"), "evidence": ("bukti", "evidence"), "levels": ("level", "level"),
    "provenance": ("asal", "provenance"), "label": ("label", "label"), "aspects": ("aspek", "aspect"),
    "codes": ("kode", "codes"), "when": ("kondisi", "condition"), "points": ("poin", "points"),
    "note": ("catatan", "note"), "source": ("sumber", "source"), "text": ("teks", "text"),
    "type": ("jenis", "type"), "unit": ("satuan", "unit"), "status": ("status", "status"),
}
PHRASE = {"id": ("{where}: dari {before} menjadi {after}", "{where} ditambahkan: {after}",
                 "{where} dihapus (sebelumnya {before})", "tidak ada"),
          "en": ("{where}: from {before} to {after}", "{where} added: {after}",
                 "{where} removed (was {before})", "none")}


@dataclass(frozen=True)
class Change:
    section: str
    item: str | None
    field: str
    before: Any
    after: Any
    kind: str
    path: tuple

    def text(self, lang: str = "id") -> str:
        changed, added, removed, none = PHRASE[lang]
        phrase = added if self.before is None else removed if self.after is None else changed
        return phrase.format(where=self._where(lang), before=_show(self.before, lang, none),
                             after=_show(self.after, lang, none))

    def to_json(self, lang: str = "id") -> dict[str, Any]:
        return {"section": self.section, "item": self.item, "field": self.field, "kind": self.kind,
                "before": self.before, "after": self.after, "text": self.text(lang)}

    def swapped(self) -> "Change":
        return Change(self.section, self.item, self.field, self.after, self.before, self.kind, self.path)

    def _where(self, lang: str) -> str:
        i = 0 if lang == "id" else 1
        parts = list(self.path[2:] if self.section in ITEMIZED else self.path[1:])
        if self.section == "criteria" and parts[:1] == ["levels"] and len(parts) >= 2:
            head = f"{self.item} level {parts[1]} poin" if lang == "id" else f"{self.item} {parts[1]}-point level"
            return " ".join([head] + [WORDS.get(p, (p, p))[i] for p in parts[2:]])
        if self.section == "bands":
            head = f"{NOUNS['bands'][i]} {self.item}" if lang == "id" else f"{self.item}-star band"
        elif self.item is not None:
            head = f"{NOUNS[self.section][i]} {self.item}"
        else:
            head = NOUNS[self.section][i]
        return " ".join([head] + [WORDS.get(str(p), (str(p), str(p)))[i] for p in parts])


def diff_editions(before: Edition, after: Edition) -> list[Change]:
    """Every difference from `before` to `after`, in a fixed order (section, item, field)."""
    a, b = _dump(before), _dump(after)
    out: list[Change] = []
    for section in SECTIONS:
        _walk(a.get(section), b.get(section), (section,), out)
    return sorted(out, key=_order)


def _dump(edition: Edition) -> dict[str, Any]:
    return edition.model_dump(mode="json", by_alias=True, exclude_none=True)


def _walk(a: Any, b: Any, path: tuple, out: list[Change]) -> None:
    if _same(a, b, path):
        return
    if isinstance(a, dict) and isinstance(b, dict) and not _leaf(path):
        for key in list(a) + [k for k in b if k not in a]:
            _walk(a.get(key), b.get(key), path + (key,), out)
        return
    key = KEYED.get(str(path[-1]))
    if key and _records(a, key) and _records(b, key):
        ia, ib = {str(x[key]): x for x in a}, {str(x[key]): x for x in b}
        for ident in list(ia) + [k for k in ib if k not in ia]:
            _walk(ia.get(ident), ib.get(ident), path + (ident,), out)
        return
    out.append(_change(path, a, b))


def _leaf(path: tuple) -> bool:
    return path[-1] == "label" or path == ("title",)


def _records(value: Any, key: str) -> bool:
    return isinstance(value, list) and all(isinstance(x, dict) and key in x for x in value) \
        and len({str(x[key]) for x in value}) == len(value)


def _same(a: Any, b: Any, path: tuple) -> bool:
    if path[-1] in CONDITIONS and isinstance(a, str) and isinstance(b, str):
        try:
            return Interval.parse(a) == Interval.parse(b)
        except ValueError:
            return a == b
    if isinstance(a, list) and isinstance(b, list) and all(isinstance(x, str) for x in a + b):
        return sorted(a) == sorted(b)
    return a == b


def _change(path: tuple, a: Any, b: Any) -> Change:
    section = path[0]
    item = str(path[1]) if section in ITEMIZED and len(path) > 1 else None
    rest = path[2:] if item is not None else path[1:]
    if isinstance(a, list) and isinstance(b, list) and all(isinstance(x, str) for x in a + b):
        a, b = sorted(a), sorted(b)
    return Change(section, item, ".".join(str(p) for p in rest), a, b, _kind(path), path)


def _kind(path: tuple) -> str:
    if path[0] == "title" or "label" in path or path[-1] in ("note", "title"):
        return "label"
    if "provenance" in path or path[0] == "sources":
        return "provenance"
    return "rule"


def _order(c: Change) -> tuple:
    return (SECTIONS.index(c.section), tuple(_natural(str(p)) for p in c.path[1:]))


def _natural(text: str) -> tuple:
    return tuple((0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", text) if t)


def _show(value: Any, lang: str, none: str) -> str:
    if value is None:
        return none
    if isinstance(value, bool):
        return ("ya" if value else "tidak") if lang == "id" else ("yes" if value else "no")
    if isinstance(value, list) and all(isinstance(x, str) for x in value):
        return "[" + ", ".join(value) + "]"
    if isinstance(value, dict):
        return _summary(value, lang)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _summary(value: dict, lang: str) -> str:
    """An added or removed item, briefly: its label, else its condition, else its fields."""
    if isinstance(value.get("label"), dict):
        return value["label"][lang]
    if set(value) == {"id", "en"}:
        return value[lang]
    if "evidence" in value and ("in" in value or "when" in value):
        cond = value.get("when") or "in [" + ", ".join(value["in"]) + "]"
        return f"{value['evidence']} {cond}"
    for key in ("title", "when", "codes", "min_score", "text", "status"):
        if key in value:
            shown = value[key]
            return ", ".join(shown) if isinstance(shown, list) else str(shown)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def diff_json(changes: list[Change], lang: str = "id") -> str:
    return json.dumps([c.to_json(lang) for c in changes], ensure_ascii=False, indent=2) + "\n"


def diff_text(changes: list[Change], before: str, after: str, lang: str = "id") -> str:
    if not changes:
        return (f"tidak ada perbedaan antara {before} dan {after}\n" if lang == "id"
                else f"no difference between {before} and {after}\n")
    head = f"{before} → {after}: {len(changes)} " + ("perubahan" if lang == "id" else "changes")
    return "\n".join([head] + [f"  [{c.kind}] {c.text(lang)}" for c in changes]) + "\n"
