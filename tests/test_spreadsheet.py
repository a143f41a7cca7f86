"""Assessment workbooks: the template, and .xlsx/.csv files read back to the same outcomes as YAML."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from ruamel.yaml import YAML

from engine.cli import cli

ROOT = Path(__file__).resolve().parent.parent
RULES = str(ROOT / "rules")
SAMPLE = ROOT / "datasets" / "samples" / "2024.yaml"


def flat(a: dict) -> dict:
    out = {"id": a["id"]}
    out.update({f"ikm.{k}": v for k, v in a["ikm"].items()})
    for section in ("gates", "evidence"):
        out.update({f"{section}.{k}": v for k, v in a[section].items()})
    out.update({f"previous.{k}": v for k, v in (a.get("previous") or {}).items()})
    return out


@pytest.fixture(scope="module")
def samples():
    return [flat(a) for a in YAML(typ="safe").load(SAMPLE.read_text(encoding="utf-8"))]


@pytest.fixture
def template(tmp_path):
    path = tmp_path / "template.xlsx"
    result = CliRunner().invoke(cli, ["assessments", "template", "2024", "--xlsx", str(path), "--rules", RULES])
    assert result.exit_code == 0, result.output
    return path


def fill(template: Path, rows: list[dict], out: Path) -> Path:
    wb = load_workbook(template)
    ws = wb["penilaian"]
    headers = [c.value for c in ws[1]]
    for r, row in enumerate(rows, start=2):
        for key, value in row.items():
            ws.cell(row=r, column=headers.index(key) + 1, value=value)
    wb.save(out)
    return out


def evaluate(path, lang: str = "en") -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["evaluate", str(path), "--json", "--rules", RULES, "--lang", lang])
    return result.exit_code, result.output


def test_template_headers_validations_and_notes(template):
    wb = load_workbook(template)
    ws = wb["penilaian"]
    headers = [c.value for c in ws[1]]
    assert headers[:6] == ["id", "ikm.name", "ikm.province", "ikm.regency", "ikm.commodity", "ikm.product"]
    assert "gates.uji_lab_pangan" in headers and "evidence.bahan_baku_lokal_pct" in headers
    kinds = {(dv.type, dv.formula1) for dv in ws.data_validations.dataValidation}
    assert ("list", '"TRUE,FALSE"') in kinds
    assert ("decimal", "0") in kinds and ("whole", "0") in kinds
    assert any(t == "list" and "makanan_minuman" in f for t, f in kinds)
    notes = wb["keterangan"]
    described = {row[0].value: row for row in notes.iter_rows(min_row=2) if row[0].value}
    assert described["evidence.bahan_baku_lokal_pct"][4].value == "a number with 0 <= x <= 100"
    assert wb.defined_names["ovop_edition"].attr_text == '"2024"'


def test_workbook_evaluates_like_the_yaml(template, samples, tmp_path):
    path = fill(template, samples, tmp_path / "filled.xlsx")
    code, out = evaluate(path)
    assert code == 0, out
    assert out == evaluate(SAMPLE)[1]


def test_decimal_cells_stay_exact(template, samples, tmp_path):
    row = dict(samples[0], **{"evidence.bahan_baku_lokal_pct": 85.5})
    code, out = evaluate(fill(template, [row], tmp_path / "decimal.xlsx"))
    assert code == 0, out
    assert '"value": 85.5' in out


def test_csv_evaluates_like_the_yaml(samples, tmp_path):
    headers = ["edition"] + list(dict.fromkeys(k for row in samples for k in row))
    path = tmp_path / "penilaian.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in samples:
            writer.writerow(["2024"] + [_csv(row.get(h)) for h in headers[1:]])
    code, out = evaluate(path)
    assert code == 0, out
    assert out == evaluate(SAMPLE)[1]


def _csv(value) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return "" if value is None else str(value)


def test_bad_value_names_sheet_row_and_column(template, samples, tmp_path):
    rows = [dict(samples[0]), dict(samples[1], **{"evidence.bahan_baku_lokal_pct": 120, "gates.izin_usaha": "ya"})]
    code, out = evaluate(fill(template, rows, tmp_path / "bad.xlsx"))
    assert code == 1
    assert "bad.xlsx: sheet penilaian, row 3, column N: 2024-NB-0002: evidence.bahan_baku_lokal_pct: " \
           "120 is out of range" in out
    assert "row 3, column G: 2024-NB-0002: gates.izin_usaha: wrong type" in out
    assert "Traceback" not in out
    code, out = evaluate(tmp_path / "bad.xlsx", "id")  # the CLI's default: the place and the words in Indonesian
    assert code == 1
    assert "bad.xlsx: lembar penilaian, baris 3, kolom N: 2024-NB-0002: evidence.bahan_baku_lokal_pct: " \
           "120 di luar rentang" in out


def test_missing_cell_and_bad_header(template, samples, tmp_path):
    row = {k: v for k, v in samples[0].items() if k != "evidence.merek"}
    code, out = evaluate(fill(template, [row], tmp_path / "gap.xlsx"))
    assert code == 1 and 'row 2' in out and 'missing evidence "merek"' in out
    wb = load_workbook(template)
    wb["penilaian"].cell(row=1, column=3, value="ikm name")
    wb.save(tmp_path / "header.xlsx")
    code, out = evaluate(tmp_path / "header.xlsx")
    assert code == 1 and "row 1, column C" in out and "wrong form" in out


def test_not_a_workbook(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    code, out = evaluate(path)
    assert code == 1 and "cannot read as an Excel workbook" in out
