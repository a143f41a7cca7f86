"""The typed reader (engine.inputs.typed): a part it reads is the part `Shared` reads from `parse_line`'s records
(the same ids, editions, commodities, previous results, keys counted, gate and evidence values of the same types,
and so the same verdicts of the fast checks); it reads every part whose records the fast check accepts; and the
byte tests before it are the bytes searches they stand for."""
from __future__ import annotations

import json
from random import Random

import orjson
import pytest

from engine.inputs import population, typed
from engine.inputs.assessment import Catalogue
from engine.rules.commodity_map import load_commodity_map
from test_population import _shape
from test_population_chunks import _chunks


@pytest.fixture(scope="module")
def checks(ruleset):
    catalogue = Catalogue.of(ruleset)
    cmap = load_commodity_map(ruleset.directory, catalogue.editions)
    return [population.FastCheck(catalogue, ruleset.get(e).model, cmap) for e in ("2024", "2022", "2018")]


@pytest.fixture(scope="module")
def lines(ruleset, tmp_path_factory):
    from engine.synth import jsonl as synth_jsonl
    out = []
    for edition, seed in (("2024", 11), ("2022", 12)):
        path = tmp_path_factory.mktemp("typed") / f"pop-{edition}.jsonl"
        synth_jsonl.write_jsonl(ruleset, edition, 200, seed, path)
        out += path.read_text(encoding="utf-8").splitlines()
    return out


def _seen(shared) -> list[tuple]:
    """Per record what the fast checks read of it: id, edition, commodity, previous result, what its shape depends
    on, and each section's values by name (with their types)."""
    out = []
    for i in range(len(shared.ids)):
        prev = shared.previous[i]
        prev = None if prev is None or prev is typed.UNSET else \
            (prev["edition"], prev["stars"]) if isinstance(prev, dict) else (prev.edition, prev.stars)
        declared, commodity, gates, evidence = shared.shape_of(i)
        sections = []
        for section in ("gates", "evidence"):
            names, rows, table = shared.tables[section][shared.layout_of[section][i]]
            j = rows.index(i)
            sections.append(sorted((name, _shape(values[j])) for name, values in zip(names, table)))
        out.append((shared.ids[i], declared, commodity, prev, set(gates), set(evidence), sections))
    return out


def _orjson_reads(blobs: list[bytes]) -> bool:
    """orjson reads every line (as `read_records` did before the typed reader: a line with a BOM it does not)."""
    try:
        return bool(list(map(orjson.loads, blobs)))
    except orjson.JSONDecodeError:
        return False


def test_a_typed_part_is_the_part_shared_reads(lines, checks):
    rng, read, accepted = Random(21), 0, 0
    for texts in _chunks(rng, lines, 400):
        blobs = [t.encode("utf-8", "surrogatepass") for t in texts]
        try:
            raws = [population.parse_line(b) for b in blobs]
        except (ValueError, UnicodeDecodeError):
            raws = None
        want = population.Shared(raws, checks[0].lists, checks[0].editions) if raws else None
        got = typed.read_typed(blobs, checks[0].lists, checks[0].editions, population.parse_line)
        fine = want is not None and want.all_formed and population.plain_numbers(b"\n".join(blobs))
        if fine and want.keys == sum(b.count(b":") for b in blobs) and _orjson_reads(blobs) and \
                None not in checks[0].accept(raws, want):  # every record accepted: the typed reader reads them
            assert got is not None, texts
            accepted += 1
        if got is None or got.keys != sum(b.count(b":") for b in blobs):  # a key twice: `read_chunks` gives up
            continue
        read += 1
        assert want is not None and want.all_formed, texts  # never a part `Shared` would not take
        assert _seen(got) == _seen(want) and got.keys == want.keys and [got.raws[i] for i in range(len(blobs))] == raws
        for check in checks:  # each edition's verdicts, on fresh parts (verdicts are kept per part)
            fresh = typed.read_typed(blobs, check.lists, check.editions, population.parse_line)
            assert check.accept(fresh.raws, fresh) == check.accept(raws, population.Shared(raws, check.lists,
                                                                                           check.editions)), texts
    assert read > 50 and accepted > 20


def test_a_part_of_many_layouts_keeps_each_records_values(lines, checks):
    """Records leaving out different gates and evidence: grouped by the names they give, in order of first record."""
    rng = Random(4)
    raws = [json.loads(x) for x in lines[:60]]
    for raw in raws:
        for section in ("gates", "evidence"):
            for name in rng.sample(sorted(raw[section]), rng.randrange(3)):
                del raw[section][name]
        if rng.random() < 0.3:
            raw["previous"] = None
    blobs = [json.dumps(r, separators=(",", ":")).encode() for r in raws]
    got = typed.read_typed(blobs, checks[0].lists, checks[0].editions, population.parse_line)
    want = population.Shared([population.parse_line(b) for b in blobs], checks[0].lists, checks[0].editions)
    assert got is not None and want.all_formed and len(got.tables["evidence"]) > 5
    assert _seen(got) == _seen(want) and got.keys == want.keys == sum(b.count(b":") for b in blobs)
    firsts = [min(rows) for _, rows, _ in got.tables["evidence"]]
    assert firsts == sorted(firsts)


def test_the_exponent_test_is_the_bytes_search():
    rng = Random(8)
    for n in list(range(8)) + [rng.randrange(8, 300) for _ in range(3000)]:
        shapes = bytes(rng.choice(b"0e ") for _ in range(n))
        assert population._exponent(shapes) == (b"0e" in shapes), shapes
    data = bytes(rng.randrange(256) for _ in range(5000))
    assert population._colons(data) == data.count(b":")


@pytest.mark.parametrize("layouts", [1, 5])
def test_columns_of_a_typed_part_with_its_memo_are_columns_of_the_records(ruleset, lines, checks, layouts):
    """The reader's memo (the numbers it has read, the states of boolean gate facts) and one layout's coded values
    taken as they are give the columns `columns_of` makes from the re-targeted records, and the same decisions."""
    import numpy as np

    from engine.batch import BatchEvaluator, columns_of, columns_of_tables, decide
    rng = Random(layouts)
    raws = [json.loads(x) for x in lines[:150] if json.loads(x)["edition"] == "2024"]
    if layouts > 1:  # gates left out by some records: several layouts
        for raw in raws:
            if rng.random() < 0.3:
                del raw["gates"][rng.choice(sorted(raw["gates"]))]
    blobs = [json.dumps(r, separators=(",", ":")).encode() for r in raws]
    check = checks[0]
    shared = typed.read_typed(blobs, check.lists, check.editions, population.parse_line)
    assert shared is not None and len(shared.tables["gates"]) >= layouts
    commodity = check.accept(shared.raws, shared)
    keep = [i for i, c in enumerate(commodity) if c is not None]
    assert len(keep) > 50
    plan = BatchEvaluator(ruleset).plan("2024")
    dicts = check.chunk(raws)
    want = columns_of(plan, [dicts[i] for i in keep])
    memo = shared.column_memo()
    assert any(key[1:] == ("state",) for key in memo)
    got = columns_of_tables(plan, shared.raws, keep if len(keep) < len(raws) else range(len(raws)),
                            [commodity[i] for i in keep], shared.tables, memo, shared.ids)
    for name in ("gate_state", "gate_value", "evidence"):
        g, w = getattr(got, name), getattr(want, name)
        assert g.keys() == w.keys() and all(np.array_equal(g[k], w[k]) and g[k].dtype == w[k].dtype for k in w), name
    a, b = decide(plan, got), decide(plan, want)
    for name in ("gate_result", "level", "points", "status", "band", "stars", "score_n"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
