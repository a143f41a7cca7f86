"""JSON Lines populations: synth writes them, impact streams them, the fast check agrees with the
normal path (never accepts what it refuses; reports problems the same way)."""
from __future__ import annotations

import json
from pathlib import Path
from random import Random

import pytest
from click.testing import CliRunner

from engine.impact import stream as impact_stream

from engine.inputs import population

from engine.synth import jsonl as synth_jsonl
from engine.inputs.assessment import Catalogue, load_assessments
from engine.batch.evaluator import as_dict
from engine.cli import cli
from engine.rules.commodity_map import load_commodity_map
from engine.impact.core import impact
from engine.inputs.population import FastCheck, parse, slow
from engine.rules.resolve import load_rules
from engine.synth.generate import synthesize

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"


@pytest.fixture(scope="module")
def ruleset():
    return load_rules(RULES)


@pytest.fixture(scope="module")
def pop(ruleset, tmp_path_factory):
    path = tmp_path_factory.mktemp("pop") / "pop.jsonl"
    synth_jsonl.write_jsonl(ruleset, "2024", 400, 9, path)
    return path


def test_synth_jsonl_is_the_same_records_whatever_the_workers(ruleset, tmp_path, monkeypatch):
    monkeypatch.setattr(synth_jsonl, "CHUNK", 60)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    counts = synth_jsonl.write_jsonl(ruleset, "2024", 250, 4, one, workers=1)
    assert synth_jsonl.write_jsonl(ruleset, "2024", 250, 4, two, workers=2) == counts
    assert one.read_bytes() == two.read_bytes()
    assert [json.loads(x) for x in one.read_text(encoding="utf-8").splitlines()] == synthesize(ruleset, "2024", 250, 4)
    assert sum(counts.values()) == 250 and sorted(p.name for p in tmp_path.iterdir()) == ["one.jsonl", "two.jsonl"]


def test_cli_synth_writes_jsonl(tmp_path):
    out = tmp_path / "s.jsonl"
    res = CliRunner().invoke(cli, ["datasets", "synth", "--edition", "2022", "--n", "30", "--seed", "3",
                                   "--out", str(out), "--rules", str(RULES)])
    assert res.exit_code == 0, res.output
    assert "wrote 30" in res.output and len(out.read_text(encoding="utf-8").splitlines()) == 30
    assert len(load_assessments([out], load_rules(RULES))) == 30  # the normal path reads JSON Lines too


def test_jsonl_impact_equals_the_normal_path(ruleset, pop, tmp_path):
    records = [json.loads(x) for x in pop.read_text(encoding="utf-8").splitlines()]
    listed = tmp_path / "pop.json"
    listed.write_text(json.dumps(records), encoding="utf-8")
    fast = impact(ruleset, "2022", "2024", [pop]).to_json()
    normal = impact(ruleset, "2022", "2024", [listed]).to_json()
    for side in (fast, normal):
        for row in side["moves"] + side["not_retargeted"]:
            row["file"] = ""
    assert fast == normal and fast["moves"] and fast["evaluated"] == 400


def test_workers_and_chunks_do_not_change_the_result(ruleset, pop, monkeypatch):
    whole = impact(ruleset, "2022", "2024", [pop], workers=1).to_json()
    monkeypatch.setattr(impact_stream, "CHUNK", 70)
    assert impact(ruleset, "2022", "2024", [pop], workers=2).to_json() == whole


VALUES = [True, False, None, 0, 1, -1, 2.5, 1e20, 10**16, "x", "", 100, 101, 100.0, "ekspor", [], {"a": 1}, 3,
          0.1, float("nan"), "0.10000000000000000001"]


def mutate(rng: Random, raw: dict) -> str:
    section = rng.choice(["gates", "evidence", "ikm", "top", "previous", "text"])
    if section == "top":
        key = rng.choice(["id", "edition", "ikm", "gates", "evidence", "previous", "extra"])
        if rng.random() < 0.6:
            raw[key] = rng.choice(VALUES + ["2013", "2024", "bad id"])
        else:
            raw.pop(key, None)
    elif section == "previous":
        raw["previous"] = rng.choice([None, {"edition": "2022", "stars": rng.choice(VALUES)}, {"edition": "2022"},
                                      {"edition": rng.choice(["2013", "2024", "2099", 5]), "stars": 1}])
    elif section == "text":  # written forms the data cannot show
        text = json.dumps(raw, separators=(",", ":"))
        return rng.choice([text.replace('"gates":{', '"gates":{"izin_usaha":true,', 1),
                           text.replace(':true', ':true ', 1).replace('"id":', '"id" :', 1),
                           text.replace('}', ',"name":"a:b"}', 1), text[:-3], text.replace(",", ",\n", 1)])
    else:
        values = raw[section]
        key = rng.choice(sorted(values) + ["zz"])
        if rng.random() < 0.3:
            values.pop(key, None)
        else:
            values[key] = rng.choice(VALUES)
    return json.dumps(raw).replace('"0.10000000000000000001"', "0.10000000000000000001")


def test_the_fast_check_never_accepts_what_the_normal_path_refuses(ruleset, pop):
    catalogue = Catalogue.of(ruleset)
    cmap = load_commodity_map(ruleset.directory, catalogue.editions)
    lines = pop.read_text(encoding="utf-8").splitlines()
    rng = Random(5)
    texts = [x if rng.random() < 0.4 else mutate(rng, json.loads(x)) for x in lines[:300]]
    texts = [t.split("\n")[0] for t in texts]
    raws = []
    for t in texts:
        try:
            raws.append(parse(t))
        except ValueError:
            raws.append(None)
    for edition in ("2024", "2022", "2018"):
        target = ruleset.get(edition).model
        accepted = FastCheck(catalogue, target, cmap).chunk(raws)
        assert sum(a is not None for a in accepted) > 50
        for i, (text, fast) in enumerate(zip(texts, accepted)):
            normal, errors = slow(text, "p.jsonl", i + 1, i + 1, catalogue, target, cmap)
            if fast is not None:
                assert normal is not None and not errors, text
                want = as_dict(normal)
                assert {k: fast[k] for k in want if k != "ikm"} == {k: want[k] for k in want if k != "ikm"}
                assert fast["ikm"]["commodity"] == want["ikm"]["commodity"]


def test_problems_name_file_line_and_id_like_the_normal_path(ruleset, pop, tmp_path):
    lines = pop.read_text(encoding="utf-8").splitlines()[:5]
    raw = json.loads(lines[2])
    raw["evidence"]["bahan_baku_lokal_pct"] = 120
    lines[2] = json.dumps(raw, separators=(",", ":"))
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(Exception) as normal:
        load_assessments([bad], ruleset)
    catalogue = Catalogue.of(ruleset)
    cmap = load_commodity_map(ruleset.directory, catalogue.editions)
    _, errors = slow(lines[2], str(bad), 3, 3, catalogue, ruleset.get("2024").model, cmap)
    assert [d.render() for d in errors] == [d.render() for d in normal.value.diagnostics]
    assert errors[0].render().startswith(f"{bad}:3:") and f"{raw['id']}: evidence.bahan_baku_lokal_pct" in errors[0].render()
    res = CliRunner().invoke(cli, ["impact", "2022", "--base", "2024", str(bad), "--rules", str(RULES), "--json"])
    assert res.exit_code == 0  # impact lists it as not re-targeted, with the reason, as for other files
    assert json.loads(res.stdout)["not_retargeted"][0]["reason"].startswith("evidence.bahan_baku_lokal_pct: 120")


def test_syntax_errors_and_duplicate_ids_stop_the_run(pop, tmp_path):
    lines = pop.read_text(encoding="utf-8").splitlines()[:4]
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join(lines[:2] + ["{\"id\": 1,"] + lines[2:]) + "\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["impact", "2022", "--base", "2024", str(broken), "--rules", str(RULES)])
    assert res.exit_code == 1 and f"{broken}:3:" in res.stderr and "kesalahan penulisan JSON" in res.stderr
    assert res.stdout == "" and "Traceback" not in res.output
    twice = tmp_path / "twice.jsonl"
    twice.write_text("\n".join(lines + [lines[1]]) + "\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["impact", "2022", "--base", "2024", str(twice), "--rules", str(RULES)])
    ident = json.loads(lines[1])["id"]
    assert res.exit_code == 1 and f'{twice}:5: {ident}: id: nomor penilaian "{ident}" ganda' in res.stderr
    assert f"pertama di {twice}:2" in res.stderr
    english = CliRunner().invoke(cli, ["impact", "2022", "--base", "2024", str(twice), "--rules", str(RULES),
                                       "--lang", "en"])
    assert f'{twice}:5: {ident}: id: duplicate id "{ident}"' in english.stderr and f"first at {twice}:2" in english.stderr


@pytest.mark.parametrize("collide", [False, True])
def test_duplicate_ids_across_chunks_are_found_whatever_the_hashes(ruleset, pop, tmp_path, monkeypatch, collide):
    """The workers send the hashes of the keys (edition + id); the parent reads the keys themselves where a hash
    comes again. With every key on one hash (`collide`), the same duplicates, each with its first line, and no
    other: the same id in another edition, or another id, is no duplicate."""
    lines = pop.read_text(encoding="utf-8").splitlines()[:12]
    other = json.loads(lines[3])
    other["edition"] = "2022"  # the same id in another edition: not a duplicate
    records = lines + [lines[1], json.dumps(other), lines[7], lines[1]]
    path = tmp_path / "dup.jsonl"
    path.write_text("\n".join(records) + "\n", encoding="utf-8")
    monkeypatch.setattr(impact_stream, "CHUNK", 5)  # the duplicates in other chunks than their first
    if collide:
        monkeypatch.setattr(impact_stream, "hash", lambda key: 7, raising=False)
    with pytest.raises(population.OvopError) as err:
        impact(ruleset, "2022", "2024", [path], workers=1)
    found = [(d.line, d.message) for d in err.value.diagnostics]
    ids = [json.loads(lines[k])["id"] for k in (1, 7, 1)]
    assert found == [(13, f'duplicate id "{ids[0]}" in edition 2024 (first at {path}:2)'),
                     (15, f'duplicate id "{ids[1]}" in edition 2024 (first at {path}:8)'),
                     (16, f'duplicate id "{ids[2]}" in edition 2024 (first at {path}:2)')]


def test_progress_goes_to_stderr_only(pop, monkeypatch):
    from engine import progress
    monkeypatch.setattr(progress, "DELAY", 0.0)
    res = CliRunner().invoke(cli, ["impact", "2022", "--base", "2024", str(pop), "--rules", str(RULES),
                                   "--json", "--progress"])
    assert res.exit_code == 0
    assert json.loads(res.stdout)["evaluated"] == 400
    assert "impact" in res.stderr and "400/400" in res.stderr
    quiet = CliRunner().invoke(cli, ["impact", "2022", "--base", "2024", str(pop), "--rules", str(RULES), "--json"])
    assert quiet.stderr == "" and json.loads(quiet.stdout) == json.loads(res.stdout)


def test_columns_refuse_what_cannot_be_decided_fast():
    from engine.inputs.values import Spec
    number = population.Column(Spec("number", 0, 100))
    assert number.all_valid([0, 100, 99.9, 5]) and not number.all_valid([100.5]) and not number.all_valid([True])
    assert not number.all_valid([float("nan")]) and not number.all_valid([population._Long("1.00000000000000001")])
    assert not population.Column(Spec("number", 0.5, 100)).all_valid([50])
    assert type(parse('{"x":1e-400}')["x"]) is population._Long and parse('{"x":85.5}')["x"] == 85.5
    assert not population.Column(Spec("integer", None, None)).all_valid([10**15])


def _shape(value):
    """A parsed value with the type of every part (parse marks long decimals and repeated keys by type)."""
    if isinstance(value, dict):
        return (type(value).__name__, [(k, _shape(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_shape(v) for v in value])
    return (type(value).__name__, repr(value))


NUMBERS = ["0", "-0", "-0.0", "85.5", "85.50", "1e5", "1E-7", "2.5e+3", "0.1000000000000000055", "123456789012345.6",
           "12345678901234.5", "1234567890123456", "12345678901234567", "99999999999999999999999", "1.0", "-1",
           "0.30000000000000004", "1e-400", "1e400"]


def test_the_fast_line_parser_reads_what_parse_reads(pop):
    """parse_line (orjson when it cannot differ) gives the very values and types `parse` gives, or fails as it."""
    rng = Random(11)
    lines = pop.read_text(encoding="utf-8").splitlines()
    texts = [mutate(rng, json.loads(x)) for x in lines[:200]] + lines[:50]
    for x in lines[:40]:
        raw = json.loads(x)
        name = next(iter(raw["evidence"]))
        for number in rng.sample(NUMBERS, 5):
            texts.append(x.replace(f'"{name}":{json.dumps(raw["evidence"][name])}', f'"{name}":{number}', 1))
    texts += ['{"a":"x: y","b":1}', '{"a":1,"a":2}', '{"gates":{"a":1,"a":2}}', "[1, 2]", "null", '{"a":NaN}',
              '{"a":"\\ud800"}', '{"a":1} x', '{"id":"2e5-x","n":2e5}']
    assert len(texts) > 400
    for text in texts:
        try:
            want = ("ok", _shape(parse(text)))
        except ValueError as exc:
            want = ("error", type(exc).__name__)
        try:
            got = ("ok", _shape(population.parse_line(text.encode("utf-8", "surrogatepass") + b"\n")))
        except ValueError as exc:
            got = ("error", type(exc).__name__)
        assert got == want, text
    assert population.parse_line(b"\xef\xbb\xbf" + lines[0].encode()) == parse(lines[0])  # a BOM, as the normal path


def test_the_chunk_parser_reads_what_the_line_parser_reads(pop):
    """parse_lines (a chunk at once) gives parse_line's very values and types on every line, or None."""
    rng = Random(13)
    lines = pop.read_text(encoding="utf-8").splitlines()
    clean = [x.encode() + b"\n" for x in lines]
    assert population.parse_lines(clean) == [population.parse_line(b) for b in clean]
    seen_none = seen_list = 0
    for _ in range(150):
        texts = rng.sample(lines, 8)
        k = rng.randrange(8)
        texts[k] = mutate(rng, json.loads(texts[k])).split("\n")[0] if rng.random() < 0.8 else \
            rng.choice(["", " ", "\ufeff" + texts[k], texts[k].replace("}", ',"x":{"a":1}}', 1), "[1]", "1",
                        '{"a":{"b":{"c":1,"c":2}}}', texts[k] + " ", texts[k][:-1] + "\r"])
        blobs = [t.encode("utf-8", "surrogatepass") + b"\n" for t in texts]
        got = population.parse_lines(blobs)
        if got is None:
            seen_none += 1
            continue
        seen_list += 1
        assert [_shape(r) for r in got] == [_shape(population.parse_line(b)) for b in blobs], texts[k]
    assert seen_none > 20 and seen_list > 20


def test_columns_from_the_readers_tables_equal_columns_of(ruleset, pop):
    """columns_of_tables on the records the fast check accepts gives columns_of's very columns and decisions."""
    import numpy as np

    from engine.batch import BatchEvaluator, columns_of, columns_of_tables, decide
    catalogue = Catalogue.of(ruleset)
    cmap = load_commodity_map(ruleset.directory, catalogue.editions)
    rng = Random(17)
    lines = pop.read_text(encoding="utf-8").splitlines()
    raws = []
    for x in lines:
        try:
            raws.append(parse(x if rng.random() < 0.7 else mutate(rng, json.loads(x))))
        except ValueError:
            pass
    raws = [r for r in raws if type(r) is dict]
    batch = BatchEvaluator(ruleset)
    shared = None  # one chunk's tables, for every edition in turn
    for edition in ("2024", "2022", "2018", "2015"):
        check = FastCheck(catalogue, ruleset.get(edition).model, cmap)
        shared = shared or population.Shared(raws, check.lists, check.editions)
        commodity = check.accept(raws, shared)
        keep = [i for i, c in enumerate(commodity) if c is not None]
        assert 50 < len(keep) < len(raws)
        dicts = check.chunk(raws, shared)
        assert [i for i, d in enumerate(dicts) if d is not None] == keep
        plan = batch.plan(edition)
        want = columns_of(plan, [dicts[i] for i in keep])
        got = columns_of_tables(plan, raws, keep, [commodity[i] for i in keep], shared.tables)
        assert got is not None and got.ids == want.ids
        for name in ("commodity", "prev_ok", "prev_stars"):
            assert np.array_equal(getattr(got, name), getattr(want, name)), name
        for name in ("gate_state", "gate_value", "evidence"):
            g, w = getattr(got, name), getattr(want, name)
            assert g.keys() == w.keys() and all(np.array_equal(g[k], w[k]) and g[k].dtype == w[k].dtype for k in w), name
        assert all(list(got.raw[k]) == list(want.raw[k]) for k in want.raw)
        a, b = decide(plan, got), decide(plan, want)
        for name in ("gate_result", "level", "points", "status", "band", "stars", "score_n", "movement"):
            assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_coded_values_kept_for_a_second_edition_are_the_same(ruleset, pop):
    """columns_of_tables with one memo for several plans over the same tables (impact: base, then draft) gives
    what each gives alone."""
    import numpy as np

    from engine.batch import BatchEvaluator, columns_of_tables
    catalogue = Catalogue.of(ruleset)
    cmap = load_commodity_map(ruleset.directory, catalogue.editions)
    raws = [parse(x) for x in pop.read_text(encoding="utf-8").splitlines()]
    batch, memo, shared, done = BatchEvaluator(ruleset), {}, None, []
    for edition in ("2024", "2022", "2024", "2018"):
        check = FastCheck(catalogue, ruleset.get(edition).model, cmap)
        shared = shared or population.Shared(raws, check.lists, check.editions)
        commodity = check.accept(raws, shared)
        if None in commodity:
            continue
        every, plan = list(range(len(raws))), batch.plan(edition)
        kept = columns_of_tables(plan, raws, every, commodity, shared.tables, memo)
        alone = columns_of_tables(plan, raws, every, commodity, shared.tables)
        for name in ("gate_state", "gate_value", "evidence"):
            g, w = getattr(kept, name), getattr(alone, name)
            assert g.keys() == w.keys() and all(np.array_equal(g[k], w[k]) for k in w), (edition, name)
        done.append(edition)
    assert done.count("2024") == 2 and memo
