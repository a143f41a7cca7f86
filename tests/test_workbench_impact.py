"""The workbench's impact of an edit on the published population (engine.web.impactrun): the kept decoded
columns are exactly what the batch path codes from the records, edition by edition; an edit decided on them
(bands, an added criterion with assumed evidence) says what checking and deciding every record again says;
an edit that changes what a valid input is re-checks every record and agrees with `ovop impact`."""
from __future__ import annotations

import shutil
from collections import Counter

import numpy as np
import pytest

from engine.batch import BatchEvaluator, columns_of
from engine.impact import impact
from engine.inputs import Catalogue
from engine.rules import load_commodity_map, load_rules
from engine.web import impactrun
from engine.web.workbench_columns import Store
from tests.rulecopy import new_edition_id
from tests.wb_server import ROOT

DATASETS = sorted((ROOT / "datasets" / "synthetic").glob("*.yaml"))
BANDS = ("bands:\n  - {stars: 3, min_score: 82, provenance: {status: assumed}}\n"
         "  - {stars: 2, min_score: 71, provenance: {status: assumed}}\n"
         "  - {stars: 1, min_score: 60, provenance: {status: assumed}}\n")
NEW_CRITERION = """criteria:
  add:
    - id: C9
      group: C
      aspect: VI
      label: {id: Sertifikat hijau, en: Green certificate}
      provenance: {status: assumed, note: test}
      evidence:
        name: sertifikat_hijau
        type: enum
        label: {id: Sertifikat hijau, en: Green certificate}
        codes:
          - {code: belum, label: {id: Belum, en: Not yet}}
          - {code: ada, label: {id: Ada, en: Has one}}
      levels:
        - {points: 0, codes: [belum]}
        - {points: 3, codes: [ada]}
"""
STRICTER_GATE = """gates:
  replace:
    - fact: unit_sentra
      type: integer
      min: 0
      requires: "x >= 8"
      applies_to: all
      label: {id: Sentra memiliki sedikitnya delapan unit usaha, en: The sentra has at least eight units}
      provenance: {status: assumed, note: test}
"""
DROPPED = """criteria:
  remove: [A2]
"""
NARROWER = """criteria:
  replace:
    - id: A1
      group: A
      aspect: I
      label: {id: Bahan baku lokal, en: Local raw material}
      provenance: {status: assumed, note: test}
      evidence: {name: bahan_baku_lokal_pct, type: number, unit: percent, min: 0, max: 99,
                 label: {id: Bahan baku lokal, en: Local raw material}}
      levels:
        - {points: 1, when: "x < 80"}
        - {points: 2, when: "80 <= x <= 99"}
"""
INTEGER = """    - id: A9
      group: A
      aspect: III
      label: {id: Tenaga kerja lokal, en: Local workers}
      provenance: {status: assumed, note: test}
      evidence: {name: tenaga_kerja_lokal_pct, type: integer, unit: percent, min: 0, max: 100,
                 label: {id: Tenaga kerja lokal, en: Local workers}}
      levels:
        - {points: 1, when: "x < 50"}
        - {points: 2, when: "50 <= x < 80"}
        - {points: 3, when: "x >= 80"}
"""
FEWER_CODES = """criteria:
  replace:
    - id: B4
      group: B
      label: {id: Merek, en: Brand}
      provenance: {status: assumed, note: test}
      evidence:
        name: merek
        type: enum
        label: {id: Merek, en: Brand}
        codes:
          - {code: didaftarkan, label: {id: Sedang didaftarkan, en: Applied for}}
          - {code: terdaftar, label: {id: Terdaftar, en: Registered}}
      levels:
        - {points: 2, codes: [didaftarkan]}
        - {points: 3, codes: [terdaftar]}
"""
GATE_RANGE = STRICTER_GATE.replace("min: 0", "min: 6")
NO_GERABAH = """commodities:
  remove: [gerabah]
"""
REDEFINED = {"narrower range": NARROWER + BANDS, "narrower range, no band": NARROWER,
             "a whole number, two problems in one record": NARROWER + INTEGER, "a code removed": FEWER_CODES,
             "a gate fact's range": GATE_RANGE, "a commodity removed": NO_GERABAH,
             "a code removed, an assumed value": FEWER_CODES + NEW_CRITERION.replace("criteria:\n  add:\n", "  add:\n")
             .replace("criteria:", "")}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    from engine.publish.build import publish
    folder = tmp_path_factory.mktemp("wbimpact")
    shutil.copytree(ROOT / "rules", folder / "rules")
    publish(folder / "ovop.db", DATASETS, folder / "rules", check=0)
    return folder, impactrun.population(folder / "ovop.db")


def draft(folder, body: str, tmp_path) -> tuple:
    rules = tmp_path / "rules"
    shutil.copytree(folder / "rules", rules)
    new = new_edition_id(rules)
    (rules / new).mkdir()
    (rules / new / "edition.yaml").write_text(f'edition: "{new}"\nextends: "2024"\nstatus: draft\n'
                                              f'title: {{id: Draf, en: Draft}}\n{body}', encoding="utf-8")
    return load_rules(rules), new


def same_inputs(a, b) -> None:
    assert a.ids == b.ids
    for name in ("commodity", "prev_ok", "prev_stars"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    for name in ("gate_state", "gate_value", "evidence"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.keys() == y.keys(), name
        for k in x:
            assert np.array_equal(np.asarray(x[k]), np.asarray(y[k])) and np.asarray(x[k]).dtype == \
                np.asarray(y[k]).dtype, (name, k)
    assert {k: list(v) for k, v in a.raw.items()} == {k: list(v) for k, v in b.raw.items()}


def test_kept_columns_are_what_the_batch_path_codes(published):
    folder, raws = published
    rs = load_rules(folder / "rules")
    catalogue = Catalogue.of(rs)
    cmap = load_commodity_map(rs.directory, catalogue.editions)
    be = BatchEvaluator(rs)
    for base in rs.editions:
        kept = impactrun._base(rs, catalogue, cmap, raws, base)
        assert len(kept.valid) >= 100
        for edition in rs.editions:  # the columns of one base's records, coded for every edition's plan
            plan = be.plan(edition)
            if set(plan.evidence) - set(kept.store.records[0]["evidence"]):
                continue  # needs evidence these records do not have
            same_inputs(kept.store.inputs(plan), columns_of(plan, kept.store.records))


def test_assumed_new_evidence_is_coded_as_if_every_record_had_it(published, tmp_path):
    folder, raws = published
    rs, new = draft(folder, NEW_CRITERION, tmp_path)
    records = [dict(r, evidence=dict(r["evidence"])) for r in raws if r["edition"] == "2024"][:50]
    store = Store(records)
    plan = BatchEvaluator(rs).plan(new)
    for value in ("ada", "belum"):
        with_it = [dict(r, evidence={**r["evidence"], "sertifikat_hijau": value}) for r in records]
        same_inputs(store.inputs(plan, {"evidence.sertifikat_hijau": value}), columns_of(plan, with_it))
    some = [dict(r, evidence={**r["evidence"], "sertifikat_hijau": "ada"}) if i % 3 == 0 else r
            for i, r in enumerate(records)]  # a record's own value wins over the assumed one
    same_inputs(Store(some).inputs(plan, {"evidence.sertifikat_hijau": "belum"}),
                columns_of(plan, [dict(r, evidence={"sertifikat_hijau": "belum", **r["evidence"]}) for r in some]))


@pytest.mark.parametrize("body,assumed", [(BANDS, {}), (NEW_CRITERION, {}),
                                          (NEW_CRITERION + BANDS, {"evidence.sertifikat_hijau": "ada"}),
                                          (STRICTER_GATE, {}), (DROPPED, {})]
                         + [pytest.param(body, {}, id=kind) for kind, body in REDEFINED.items()])
def test_an_edit_on_the_kept_columns_says_what_checking_every_record_says(published, tmp_path, monkeypatch,
                                                                         body, assumed):
    folder, raws = published
    rs, new = draft(folder, body, tmp_path)
    taken = []
    real = impactrun._on_columns
    monkeypatch.setattr(impactrun, "_on_columns", lambda *a: taken.append(real(*a)) or taken[-1])
    fast = impactrun.run(rs, "2024", new, raws, assumed)
    assert taken and taken[0] is not None  # decided on the kept columns
    monkeypatch.setattr(impactrun, "_on_columns", lambda *a: None)
    slow = impactrun.run(rs, "2024", new, raws, assumed)
    assert fast.matrix == slow.matrix and fast.evaluated == slow.evaluated > 100
    assert fast.not_retargeted == slow.not_retargeted and fast.not_retargeted[new] > 50  # other editions' records
    assert fast.reasons == slow.reasons and fast.movers == slow.movers and fast.moves == slow.moves
    assert fast.by_reason == slow.by_reason and sum(fast.by_reason.values()) == fast.not_retargeted[new]
    assert fast.unchecked == slow.unchecked == fast.unworded == 0
    assert fast.movers > 3 or body == NEW_CRITERION or body in REDEFINED.values()  # an added criterion at 0
    # points moves nobody; an edit of what a valid input is may only refuse records (the next test sees some)
    if not fast.assumed:  # and `ovop impact` of the published population agrees (it assumes nothing)
        theirs = impact(rs, new, "2024", DATASETS)
        assert fast.matrix == theirs.matrix and fast.movers == len(theirs.moves)
        assert [m[0] for m in fast.moves] == [m.id for m in theirs.moves][:impactrun.MAX_MOVES]
        assert fast.by_reason == dict(Counter(s["reason"] for s in theirs.skipped if s["edition"] == new))
    assert fast.assumed == slow.assumed


@pytest.mark.parametrize("kind", REDEFINED)
def test_an_edit_of_what_a_valid_input_is_decided_on_the_columns(published, tmp_path, monkeypatch, kind):
    """The records the draft refuses are found on the columns; only the first of each kind of problem is read
    again (by the normal reader, for its words)."""
    folder, raws = published
    rs, new = draft(folder, REDEFINED[kind], tmp_path)
    asked = []
    real = impactrun.slow
    monkeypatch.setattr(impactrun, "slow", lambda *a: asked.append(a[2]) or real(*a))
    baseline = impactrun.run(rs, "2024", new, raws)  # the base side built: every record read
    asked.clear()
    mine = impactrun.run(rs, "2024", new, raws)
    read_again = list(asked)
    refused_kept = mine.not_retargeted[new] - baseline_invalid(rs, raws, new)
    assert refused_kept > 0, kind  # the edit refuses some records valid under the base
    assert 0 < len(read_again) <= min(refused_kept, len(mine.by_reason))
    many = ("narrower range", "a code removed", "a gate fact's range")  # many records, few kinds of problem
    assert len(read_again) * 10 < refused_kept or kind not in many
    assert mine.matrix == baseline.matrix and mine.by_reason == baseline.by_reason


def baseline_invalid(rs, raws, new) -> int:
    """Records not valid under 2024 and not valid under the draft either."""
    catalogue = Catalogue.of(rs)
    cmap = load_commodity_map(rs.directory, catalogue.editions)
    kept = impactrun._base(rs, catalogue, cmap, raws, "2024")
    out = impactrun.Result("2024", new, [], {}, 0)
    impactrun._retarget(rs, catalogue, cmap, [raws[i] for i, a in enumerate(kept.under_base) if a is None], new, out)
    return out.not_retargeted.get(new, 0)


def test_past_the_limit_records_the_fast_check_is_unsure_of_are_left_out_and_counted(published, tmp_path,
                                                                                    monkeypatch):
    folder, raws = published
    rs, new = draft(folder, NARROWER, tmp_path)
    monkeypatch.setattr(impactrun, "_on_columns", lambda *a: None)  # what is not decidable on the columns
    exact = impactrun.run(rs, "2024", new, raws)
    monkeypatch.setattr(impactrun, "MAX_SLOW", 5)
    bounded = impactrun.run(rs, "2024", new, raws)
    assert exact.unchecked == 0 and bounded.unchecked > 0
    assert bounded.evaluated < exact.evaluated
    assert bounded.not_retargeted[new] + bounded.unchecked >= exact.not_retargeted[new]


def test_past_the_limit_kinds_of_problem_are_worded_as_the_normal_reader_words_them_or_counted(published, tmp_path,
                                                                                               monkeypatch):
    """Past MAX_SLOW kinds, a value's problem in a field the normal reader has worded is worded alike (the
    same words as checking every record); the other kinds (two problems in one record) are counted only."""
    folder, raws = published
    rs, new = draft(folder, NARROWER + INTEGER, tmp_path)
    exact = impactrun.run(rs, "2024", new, raws)
    monkeypatch.setattr(impactrun, "MAX_SLOW", 3)
    bounded = impactrun.run(rs, "2024", new, raws)
    assert bounded.unworded > 0 and exact.unworded == 0
    assert bounded.not_retargeted == exact.not_retargeted and bounded.matrix == exact.matrix
    assert sum(bounded.by_reason.values()) + bounded.unworded == sum(exact.by_reason.values())
    assert all(exact.by_reason[why] == n for why, n in bounded.by_reason.items())
    past = [why for why in bounded.by_reason if "whole number" in why and ";" not in why]
    assert len(past) > 3  # worded past the limit, without the normal reader
    assert all(";" in why for why in set(exact.by_reason) - set(bounded.by_reason))


@pytest.mark.parametrize("kind,low,high", [("number", 0, 99), ("number", "0.1", "99.5"), ("integer", -3, 7),
                                           ("number", None, "1e-7"), ("number", "-0.3", None)])
def test_a_range_on_the_columns_is_the_normal_readers_verdict(kind, low, high):
    """Values at, beside and between the bounds (a float one unit in the last place off a bound included):
    refused on the columns exactly when `problem` refuses them."""
    from fractions import Fraction
    from engine.inputs import Spec, problem
    from engine.rules import exact
    from engine.web.workbench_valid import _refused
    bound = lambda b: None if b is None else (Fraction(b) if isinstance(b, str) else b)  # noqa: E731
    spec = Spec(kind, bound(low), bound(high))
    values: list = [0, 1, 7, -3, 99, 100, 7.0, 99.0, 99.5, 99.49, 0.1, 0.3, -0.3, 1e-7, 2e-7, 1e15, -1e15, 2.5, -2.5]
    for b in (low, high):
        if b is not None:
            f = float(Fraction(b))
            values += [f, np.nextafter(f, np.inf).item(), np.nextafter(f, -np.inf).item()]
            values += [int(f)] if f.is_integer() else []
    values = list(dict.fromkeys((v.__class__, v) for v in values))  # valid numbers under the base (no range)
    values = [v for _, v in values if problem(Spec("number"), v, exact(v), repr(v)) is None] * 2  # more than
    # the few checked one by one
    got = _refused(values, spec, False, object())
    want = [problem(spec, v, exact(v), repr(v)) is not None for v in values]
    assert got.tolist() == want and any(want) and not all(want)


def test_the_impact_section_lists_the_records_not_retargeted_by_reason():
    """What the page says of the records an edit refuses: each reason with its count, most first (10 shown)."""
    import jinja2
    from engine.web.site import SITE_DIR
    r = impactrun.Result("2024", "2026", ["1", "2"], {"1": {"1": 3, "2": 0}, "2": {"1": 0, "2": 4}}, 7,
                         not_retargeted={"2026": 16}, by_reason={f"evidence.x: reason {i}": i for i in range(1, 13)},
                         unworded=2)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(SITE_DIR / "templates")), autoescape=True)
    html = env.get_template("ovop_wb_impact.html").render(
        impact={"r": r, "moves": [], "max_slow": impactrun.MAX_SLOW, "rows": [("1", [3, 0]), ("2", [0, 4])]})
    assert "78 tidak dapat ditargetkan ke 2026, menurut alasan" in html
    shown = [line for line in html.split("<li>") if "reason " in line]
    assert [s.split("</strong>")[0].split("<strong>")[1] for s in shown[:3]] == ["12", "11", "10"]
    assert "reason 2</li>" not in html and "… 2 alasan lain" in html and "2 tanpa alasan terperinci" in html
