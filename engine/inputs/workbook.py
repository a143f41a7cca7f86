"""Assessment workbooks for assessors: `ovop assessments template EDITION --xlsx FILE`.

Sheet "penilaian": one header row (id, ikm.*, gates.<fact>, evidence.<name>, previous.*), one
assessment per row below, with drop-downs for codes and true/false and range checks for numbers.
Sheet "keterangan": what each column means (Indonesian and English), its unit, allowed values and
where the rule comes from. The edition is stored in the defined name `ovop_edition`.
Reading workbooks (and CSV) back is engine/inputs/sheets.py.
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from ..rules import Edition, RuleSet
from .values import Spec

SHEET = "penilaian"
NOTES = "keterangan"
EDITION_NAME = "ovop_edition"
ROWS = 500
IKM = [("ikm.name", "Nama IKM", "Firm name"), ("ikm.province", "Provinsi", "Province"),
       ("ikm.regency", "Kabupaten/kota", "Regency/city"), ("ikm.commodity", "Komoditas (kode)", "Commodity (code)"),
       ("ikm.product", "Produk", "Product")]
PREVIOUS = [("previous.edition", "Edisi penilaian sebelumnya (boleh kosong)", "Earlier edition (may be empty)"),
            ("previous.stars", "Bintang pada penilaian sebelumnya (0: tanpa bintang)", "Stars then (0: none)")]


def columns(edition: Edition) -> list[dict]:
    """Every column of the assessment sheet: header, labels, spec (None for text), unit, provenance."""
    cols = [{"header": "id", "id": "Nomor penilaian", "en": "Assessment id", "spec": None}]
    codes = tuple(c.code for c in edition.commodities)
    for header, label_id, label_en in IKM:
        spec = Spec("enum", codes=codes) if header == "ikm.commodity" else None
        cols.append({"header": header, "id": label_id, "en": label_en, "spec": spec})
    for g in edition.gates:
        applies = "semua" if g.applies_to == "all" else ", ".join(g.applies_to)
        cols.append({"header": f"gates.{g.fact}", "id": g.label.id, "en": g.label.en, "spec": Spec.of(g),
                     "provenance": g.provenance, "note": f"wajib: {g.requires}; berlaku: {applies}"})
    for c in edition.criteria:
        ev = c.evidence
        cols.append({"header": f"evidence.{ev.name}", "id": f"{c.id}: {ev.label.id}", "en": f"{c.id}: {ev.label.en}",
                     "spec": Spec.of(ev), "unit": ev.unit, "provenance": c.provenance})
    for header, label_id, label_en in PREVIOUS:
        spec = Spec("integer", 0, edition.star_scale.max) if header == "previous.stars" else None
        cols.append({"header": header, "id": label_id, "en": label_en, "spec": spec})
    return cols


def write_template(ruleset: RuleSet, edition: str, path: str | Path) -> Path:
    """An empty assessment workbook for `edition`, with validations and a sheet of explanations."""
    model = ruleset.get(edition).model
    cols = columns(model)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    for n, col in enumerate(cols, start=1):
        cell = ws.cell(row=1, column=n, value=col["header"])
        cell.font = Font(bold=True)
        ws.column_dimensions[get_column_letter(n)].width = max(12, len(col["header"]) + 2)
        if col["spec"] is not None:
            _validate(ws, n, col["spec"])
    ws.freeze_panes = "B2"
    _notes(wb.create_sheet(NOTES), model, cols)
    wb.defined_names[EDITION_NAME] = DefinedName(EDITION_NAME, attr_text=f'"{model.edition}"')
    path = Path(path)
    wb.save(path)
    return path


def _validate(ws, column: int, spec: Spec) -> None:
    letter = get_column_letter(column)
    if spec.kind in ("enum", "boolean"):
        values = spec.codes if spec.kind == "enum" else ("TRUE", "FALSE")
        dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
    else:
        kind = "whole" if spec.kind == "integer" else "decimal"
        lo = spec.min if spec.min is not None else -10**12
        hi = spec.max if spec.max is not None else 10**12
        dv = DataValidation(type=kind, operator="between", formula1=str(lo), formula2=str(hi), allow_blank=True)
    dv.error = spec.describe()
    dv.errorTitle = "Nilai tidak sah / invalid value"
    dv.showErrorMessage = True
    ws.add_data_validation(dv)
    dv.add(f"{letter}2:{letter}{ROWS + 1}")


def _notes(ws, edition: Edition, cols: list[dict]) -> None:
    ws.append(["kolom / column", "keterangan", "description", "satuan / unit", "nilai yang boleh / allowed",
               "asal / provenance"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col in cols:
        spec = col["spec"]
        allowed = spec.describe() if spec is not None else "teks / text"
        if col["header"] == "previous.edition":
            allowed = "edisi sebelumnya / an earlier edition: " + ", ".join(edition_ids_before(edition))
        ws.append([col["header"], col["id"], col["en"], col.get("unit") or "", allowed,
                   _provenance(edition, col.get("provenance"), col.get("note"))])
    ws.append([])
    ws.append(["edition", edition.title.id, edition.title.en, "", edition.edition, ""])
    for letter, width in zip("ABCDEF", (34, 50, 50, 14, 50, 60)):
        ws.column_dimensions[letter].width = width


def edition_ids_before(edition: Edition) -> list[str]:
    return [edition.extends] if edition.extends else []


def _provenance(edition: Edition, prov, note: str | None) -> str:
    if prov is None:
        return note or ""
    text = f"sourced: {edition.sources[prov.source].title}" if prov.status == "sourced" and prov.source in \
        edition.sources else prov.status
    parts = [text] + ([prov.note] if prov.note else []) + ([note] if note else [])
    return "; ".join(parts)
