"""The assessor desk (/-/ovop/assess): a form generated from an edition, downloads and uploads.

The page (site/templates/ovop_desk.html) posts the form as JSON to the evaluate API on every change
(desk.js, served by the site); the errors it shows are the CLI's. Nothing is stored, except by "Simpan /
Save" when the workbench's accounts exist and an assessor is signed in (save(): a checked assessment kept
in the workspace with who and when, engine.web.saved).
"""
from __future__ import annotations

import io
import json
import tempfile
from decimal import Decimal
from pathlib import Path

from ..decide import words
from ..errors import OvopError
from ..inputs import check_file, duplicates, localized, read, write_template
from . import saved
from .evaluate_api import BODY, check_text, error, error_dicts, evaluate_assessments, item_label, input_words
from .state import state

UNITS, num = words.UNITS, words.num

SCRIPT = Path(__file__).with_name("desk.js")
UPLOAD_SUFFIXES = (".xlsx", ".csv", ".yaml", ".yml", ".json")
IKM = [("name", "Nama IKM", "Firm name"), ("province", "Provinsi", "Province"),
       ("regency", "Kabupaten/kota", "Regency/city"), ("product", "Produk", "Product")]


def script() -> str:
    return SCRIPT.read_text(encoding="utf-8")


def page_context(edition: str | None, commodity: str | None) -> dict:
    rs = state()["ruleset"]
    editions = sorted((e for e, r in rs.editions.items() if r.model.status == "published"), reverse=True)
    edition = edition if edition in rs.editions else editions[0]
    model = rs.get(edition).model
    codes = [c.code for c in model.commodities]
    commodity = commodity if commodity in codes else codes[0]
    return {"editions": editions, "edition": edition, "model": model, "commodity": commodity,
            "ikm_fields": IKM, "gates": gate_fields(model, commodity), "groups": evidence_fields(model),
            "scale": model.star_scale.max, "previous_editions": [e for e in editions if e < edition], "ovop_badge": badge}


BADGES = {"sourced": ("bersumber / sourced", "stated by a public source"),
          "assumed": ("asumsi / assumed", "a documented stand-in, not an official figure")}


def badge(status: str):
    """[S]/[A] as a badge (the same look as the site's table cells)."""
    from markupsafe import Markup
    text, title = BADGES.get(status, (status, ""))
    return Markup('<span class="ovop-badge ovop-{}" title="{}">{}</span>').format(status, title, text)


def _range(lo, hi, lang: str) -> str:
    if lo is None and hi is None:
        return ""
    if lo is not None and hi is not None:
        return f"{num(lo, lang)} – {num(hi, lang)}"
    return f"≥ {num(lo, lang)}" if lo is not None else f"≤ {num(hi, lang)}"


def gate_fields(model, commodity: str) -> list[dict]:
    out = []
    for g in model.gates:
        if g.applies_to != "all" and commodity not in g.applies_to:
            continue
        out.append({"path": f"gates.{g.fact}", "kind": g.type, "label": g.label, "min": g.min, "max": g.max,
                    "range": {lang: _range(g.min, g.max, lang) for lang in ("id", "en")}})
    return out


def evidence_fields(model) -> list[dict]:
    groups = []
    for g in model.groups:
        fields = []
        for c in (c for c in model.criteria if c.group == g.id):
            ev = c.evidence
            fields.append({"path": f"evidence.{ev.name}", "kind": ev.type, "criterion": c.id, "label": c.label,
                           "codes": [(x.code, x.label) for x in ev.codes or []], "min": ev.min, "max": ev.max,
                           "unit": {lang: UNITS[lang].get(ev.unit, ev.unit) if ev.unit else "" for lang in ("id", "en")},
                           "range": {lang: _range(ev.min, ev.max, lang) for lang in ("id", "en")},
                           "status": c.provenance.status})
        groups.append({"id": g.id, "label": g.label, "fields": fields})
    return groups


# ---- downloads ----

def _parse(text: str):
    return json.loads(text, parse_float=Decimal)


def to_yaml(data, indent: int = 0) -> str:
    """An assessment (or list) as YAML 1.2: strings double-quoted, numbers as written."""
    pad = " " * indent
    if isinstance(data, list):
        return "".join(f"{pad}-{to_yaml(item, indent + 2)[indent + 1:]}" for item in data)
    lines = []
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"{pad}{key}:\n{to_yaml(value, indent + 2)}")
        else:
            lines.append(f"{pad}{key}: {_scalar(value)}\n")
    return "".join(lines)


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, Decimal)):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def download(text: str, fmt: str):
    """(200, bytes, content type, file name) or (400, {"errors": [...]}, None, None)."""
    try:
        data = _parse(text)
    except ValueError as exc:
        return 400, {"errors": [{"id": None, "field": None, "message": f"JSON syntax error: {exc}", "allowed": "JSON"}]}, None, None
    if not isinstance(data, dict):
        return 400, {"errors": [{"id": None, "field": None, "message": "one assessment (a JSON object)",
                                 "allowed": "an object"}]}, None, None
    ident = str(data.get("id") or "penilaian")
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in ident)
    if fmt == "xlsx":
        return 200, workbook_bytes(data), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{safe}.xlsx"
    header = "# Penilaian OVOP dari meja penilai / OVOP assessment from the assessor desk\n"
    return 200, (header + to_yaml(data)).encode("utf-8"), "application/yaml; charset=utf-8", f"{safe}.yaml"


def workbook_bytes(data: dict) -> bytes:
    """The assessors' workbook (engine.inputs.write_template) with this assessment in its first row."""
    from openpyxl import load_workbook
    edition = str(data.get("edition") or "")
    rs = state()["ruleset"]
    if edition not in rs.editions:
        edition = sorted(rs.editions)[-1]
    with tempfile.TemporaryDirectory() as tmp:
        path = write_template(rs, edition, Path(tmp) / "penilaian.xlsx")
        wb = load_workbook(path)
        ws = wb["penilaian"]
        for col in range(1, ws.max_column + 1):
            value = _dotted(data, ws.cell(row=1, column=col).value or "")
            if isinstance(value, Decimal):
                value = int(value) if value == value.to_integral_value() else float(value)
            if value is not None and not isinstance(value, (dict, list)):
                ws.cell(row=2, column=col, value=value)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()


def _dotted(data: dict, header: str):
    node = data
    for part in header.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


# ---- save (a signed-in assessor; the route checks who) ----

def save(text: str, ws, user: str):
    """(200, {"saved": entry}) or (400, {"errors": [...]}): one checked assessment kept as a new version."""
    st = state()
    try:
        data = _parse(text)
    except ValueError as exc:
        return 400, {"errors": [error(input_words.t("json_syntax", what=str(exc)), "JSON")]}
    if not isinstance(data, dict):
        return 400, {"errors": [error(input_words.plain("one assessment (a JSON object)", "satu penilaian (objek JSON)"),
                                      input_words.plain("an object", "sebuah objek"))]}
    try:
        [assessment] = check_text(text, None, st, positions=False, file=BODY)
    except OvopError as exc:
        return 400, {"errors": error_dicts(exc.diagnostics, [item_label(data, "")])}
    [outcome] = evaluate_assessments([assessment], with_explanations=False)
    body = "# Penilaian OVOP dari meja penilai / OVOP assessment from the assessor desk\n" + to_yaml(data)
    entry = saved.save(ws, user, assessment.id, assessment.edition, body, saved.flat(data), outcome)
    return 200, {"saved": {k: entry[k] for k in ("n", "assessment", "edition", "version", "user", "when",
                                                   "stars", "status", "score", "changes", "unchanged")}}


# ---- uploads ----

def upload(body: bytes, name: str, edition: str | None, lang: str = "id"):
    """A workbook or assessment file → (200, outcomes) or (400, {"errors": [... with "where"]}), as the CLI reads it."""
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        message = input_words.plain(f'"{suffix or name}" is not a file type the desk reads',
                              f'"{suffix or name}" bukan jenis berkas yang dibaca meja penilai')
        return 400, {"errors": [error(message, ", ".join(UPLOAD_SUFFIXES), lang, where=name)]}
    display = Path(name).name
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(body)
        try:
            source = read(path, display)
            st = state()
            target = st["ruleset"].get(edition).model if edition else None
            keys: list = []
            found, errs = check_file(source, st["catalogue"], target, st["commodity_map"]() if target else None, keys)
            errs = sorted(errs, key=lambda d: (d.line or 0, d.col or 0))
            relocate = getattr(source, "relocate", None)
            errs = ([relocate(d) for d in errs] if relocate else errs) + duplicates(keys)
            if errs:
                raise OvopError(errs)
        except OvopError as exc:
            data = source.located.data if "source" in locals() else None
            items = data if isinstance(data, list) else [data]
            labels = [item_label(raw, f"item {n}" if isinstance(data, list) else "") for n, raw in enumerate(items, 1)]
            rows = error_dicts(exc.diagnostics, labels, lang)
            for row, d in zip(rows, localized(exc.diagnostics)):
                row["where"] = d.where(lang)
            return 400, {"errors": rows}
    return 200, evaluate_assessments(found)
