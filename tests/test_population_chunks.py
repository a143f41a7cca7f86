"""The population path a chunk at once: the byte ranges the workers read are the lines `readline` gives,
a chunk's columns are those of its well-formed records (`shared._formed`), `read_chunks` reads what
`parse_lines` reads, and the states counted at once are `compare`'s."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from random import Random

import numpy as np
import pytest

from engine.impact import stream
from engine.impact.rows import compare
from engine.inputs import chunks, population
from engine.inputs.shared import _formed
from engine.inputs.assessment import Catalogue
from engine.rules.commodity_map import load_commodity_map
from engine.synth import jsonl as synth_jsonl
from test_population import _shape, mutate


@pytest.fixture(scope="module")
def lines(ruleset, tmp_path_factory):
    path = tmp_path_factory.mktemp("chunks") / "pop.jsonl"
    synth_jsonl.write_jsonl(ruleset, "2024", 300, 11, path)
    return path.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def check(ruleset):
    catalogue = Catalogue.of(ruleset)
    cmap = load_commodity_map(ruleset.directory, catalogue.editions)
    return population.FastCheck(catalogue, ruleset.get("2024").model, cmap)


def _chunks(rng: Random, lines: list[str], n: int = 120):
    """Chunks of 6 records, one of them (most of the time) mutated or written oddly."""
    for _ in range(n):
        texts = rng.sample(lines, 6)
        if rng.random() < 0.85:
            k = rng.randrange(6)
            texts[k] = mutate(rng, json.loads(texts[k])).split("\n")[0] if rng.random() < 0.8 else \
                rng.choice(["", " ", "\ufeff" + texts[k], texts[k].replace("}", ',"x":{"a":1}}', 1), "[1]", "1",
                            texts[k] + " ", texts[k][:-1] + "\r", texts[k].replace('"previous"', '"previous":null,"p"'),
                            texts[k].replace('"name":"', '"name":"\ufeff', 1), texts[k].replace("{", "\ufeff{", 2)])
        if rng.random() < 0.15:  # two records on one line (and a blank line: as many records as lines)
            texts[0] += texts[1]
            texts[3] = "" if rng.random() < 0.5 else texts[3]
        yield texts


def test_the_chunks_columns_are_those_of_the_well_formed_records(lines, check):
    rng, both = Random(3), [0, 0]
    for texts in _chunks(rng, lines, 200):
        raws = []
        for t in texts:
            try:
                raws.append(population.parse(t))
            except ValueError:
                raws.append(None)
        shared = population.Shared(raws, check.lists, check.editions)
        want = [_formed(r, check.lists, check.editions) for r in raws]
        assert shared.formed == want, texts
        assert not shared.all_formed or all(want)
        both[shared.all_formed] += 1
        if shared.all_formed:
            assert list(shared.ids) == [r["id"] for r in raws] and list(shared.commodity) == [r["ikm"]["commodity"] for r in raws]
            assert shared.keys == sum(len(r) + sum(len(v) for v in r.values() if type(v) is dict) for r in raws)
    assert min(both) > 20


def _read_at_once(data: bytes, check, sub: int) -> list | None:
    """The records `read_chunks` gives, part after part, or None when it gives up (a None among the parts)."""
    parts = list(population.read_chunks(data, check.lists, check.editions, sub))
    assert None not in parts[:-1]  # nothing comes after a None
    return None if not parts or parts[-1] is None else [r for part in parts for r in part.raws]


@pytest.mark.parametrize("sub", [1, 2, 6, 1000])
def test_read_chunks_reads_what_parse_lines_reads(lines, check, sub):
    rng, read = Random(7), 0
    for texts in _chunks(rng, lines):
        blobs = [t.encode("utf-8", "surrogatepass") + b"\n" for t in texts]
        got, want = _read_at_once(b"".join(blobs), check, sub), population.parse_lines(blobs)
        formed = want is not None and all(_formed(r, check.lists, check.editions) for r in want)
        assert got is not None or not formed, texts
        if got is not None:  # what parse_line reads, every record well formed (a BOM inside a line is read too)
            read += 1
            assert [_shape(r) for r in got] == [_shape(population.parse_line(b)) for b in blobs]
            assert all(_formed(r, check.lists, check.editions) for r in got)
    assert read > 20
    whole = [t.encode() + b"\n" for t in lines]
    assert _read_at_once(b"".join(whole)[:-1], check, sub) == population.parse_lines(whole)


@pytest.mark.parametrize("block", [5, 16, 1 << 23])
@pytest.mark.parametrize("workers", [0, 2, 3])
def test_the_byte_ranges_are_the_lines_as_read(tmp_path, monkeypatch, block, workers):
    """Each job's range, split as `chunks.blobs` splits it, is the lines `readline` gives; first line and item as
    the line-by-line reading counts them (blank lines are no item), whatever the blocks the file is read in and
    whether the last chunks are made smaller for the workers (`tail`)."""
    monkeypatch.setattr(chunks, "BLOCK", block)
    monkeypatch.setenv("OVOP_MAX_LINE_BYTES", "50")  # blocks of at least 51 bytes: many boundaries
    rng = Random(5)
    kinds = [b'{"a":1}\n', b"\n", b"  \t\n", b'{"b":2}\r\n', b"\xef\xbb\xbf{}\n", b" {}\n", b"\x0c\n", b"x" * 40 + b"\n"]
    monkeypatch.setattr(stream, "CHUNK", 7)
    for n in (0, 1, 6, 7, 8, 30):
        data = b"".join(rng.choice(kinds) for _ in range(n))
        for tail in (b"", b'{"end":1}', b"   "):
            path = tmp_path / "f.jsonl"
            path.write_bytes(data + tail)
            with open(path, "rb") as f:
                want = list(f)
            got, line, item = [], 1, 1
            for file, name, start, end, first, first_item, count in chunks.jobs(path, str(path), stream.CHUNK,
                                                                                 tail=workers):
                blobs = chunks.blobs((data + tail)[start:end])
                assert (first, first_item, count) == (line, item, len(blobs)) and count <= 7
                got += blobs
                line, item = line + count, item + sum(1 for b in blobs if b.strip())
            assert got == want


def test_the_first_and_last_chunks_are_a_quarter_for_the_workers_to_start_soon_and_finish_together(tmp_path):
    """With `tail` workers, the first `tail` chunks and those that start within the last `tail` chunks' worth of
    bytes are a quarter of a chunk; the others whole; without, all whole."""
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"".join(b'{"id":"%06d"}\n' % i for i in range(1000)))
    sizes = [job[-1] for job in chunks.jobs(path, str(path), 100, tail=2)]
    assert sizes == [25] * 2 + [100] * 8 + [25] * 6  # 50 lines, 800, then the last 150 (at most 2 chunks' worth)
    assert [job[-1] for job in chunks.jobs(path, str(path), 100)] == [100] * 10
    assert [job[-1] for job in chunks.jobs(path, str(path), 100, tail=1)] == [25] + [100] * 9 + [25] * 3


@pytest.mark.parametrize("block", [3, 1 << 23])
def test_a_line_too_long_stops_the_reading_there(tmp_path, monkeypatch, block):
    monkeypatch.setattr(chunks, "BLOCK", block)
    monkeypatch.setenv("OVOP_MAX_LINE_BYTES", "20")
    path = tmp_path / "long.jsonl"
    for text, line in ((b'{"a":1}\n' * 3 + b"y" * 21 + b"\n", 4), (b'{"a":1}\n' + b"y" * 21, 2),
                       (b"y" * 20 + b"\n" + b"z" * 20, None)):
        path.write_bytes(text)
        if line is None:
            assert sum(job[-1] for job in chunks.jobs(path, "long.jsonl", stream.CHUNK)) == 2
            continue
        with pytest.raises(population.OvopError) as err:
            list(chunks.jobs(path, "long.jsonl", stream.CHUNK))
        assert err.value.render().startswith(f"long.jsonl:{line}: baris terlalu panjang / line too long")


def test_states_counted_at_once_are_compares(ruleset, lines):
    """`Movers` gives `compare`'s counts (in the same order) and moves, under editions that move many, whatever the
    parts the chunk comes in (a part whose stars cannot be coded as numbers said at once, in its place)."""
    from dataclasses import replace
    from engine.batch import Columns
    from engine.batch import BatchEvaluator
    batch = BatchEvaluator(ruleset)
    raws = [json.loads(x) for x in lines]
    for base, draft in (("2024", "2022"), ("2022", "2018"), ("2024", "2024")):
        catalogue = Catalogue.of(ruleset)
        cmap = load_commodity_map(ruleset.directory, catalogue.editions)
        under = [population.FastCheck(catalogue, ruleset.get(e).model, cmap).chunk(raws) for e in (base, draft)]
        both = [i for i in range(len(raws)) if under[0][i] is not None and under[1][i] is not None]
        assert len(both) > 100
        cb, cd = (batch.evaluate_columns([u[i] for i in both], e) for u, e in zip(under, (base, draft)))
        n = len(both)
        for cuts, odd in (([n], None), ([1, 7, 50, n], None), ([7, 50, n], 1)):
            parts, at = [], 0
            for k, end in enumerate(cuts):
                b, d = cb.take(range(at, end)), cd.take(range(at, end))
                parts.append((b, replace(d, stars=d.stars + 1000)) if k == odd else (b, d))
                at = end
            movers, counts = stream.Movers("f.jsonl"), Counter()
            for b, d in parts:
                counts.update(movers.add(b, d))
            moves = movers.said()
            whole = [Columns.joined([p[k] for p in parts]) for k in (0, 1)]
            want_counts, want_moves = compare(whole[0], whole[1], ["f.jsonl"] * n)
            assert list(counts.items()) == list(want_counts.items()) and moves == want_moves
            assert all(type(c) is int for c in counts.values()) and movers.said() == []
            assert (base == draft and odd is None) == (not moves)


@pytest.mark.parametrize("block", [7, 64, 1 << 23])
def test_lines_near_the_limit_are_refused_where_readline_refuses_them(tmp_path, monkeypatch, block):
    monkeypatch.setattr(chunks, "BLOCK", block)
    monkeypatch.setattr(stream, "CHUNK", 3)
    monkeypatch.setenv("OVOP_MAX_LINE_BYTES", "12")
    rng, path = Random(9), tmp_path / "near.jsonl"
    for _ in range(60):
        lines = [b"x" * rng.choice([0, 1, 11, 12, 12, 13, 30]) + b"\n" for _ in range(rng.randrange(1, 9))]
        if rng.random() < 0.5:
            lines[-1] = lines[-1][:-1]
        path.write_bytes(b"".join(lines))
        too_long = [i + 1 for i, x in enumerate(lines) if len(x.rstrip(b"\n")) > 12]
        if not too_long:
            assert sum(job[-1] for job in chunks.jobs(path, "near.jsonl", stream.CHUNK)) == len([x for x in lines if x])
            continue
        with pytest.raises(population.OvopError) as err:
            list(chunks.jobs(path, "near.jsonl", stream.CHUNK))
        assert err.value.render().startswith(f"near.jsonl:{too_long[0]}: baris terlalu panjang"), lines


def test_movers_said_alike_are_said_as_each_alone(ruleset, lines, monkeypatch):
    """Movers grouped by what their reasons read (`rows._alike`) get the words each gets read alone, whatever
    differs: gate results, criterion levels and points, caps applied, bands, scores, ineligibility."""
    from engine.batch import BatchEvaluator
    from engine.impact import rows as impact_rows
    batch = BatchEvaluator(ruleset)
    catalogue = Catalogue.of(ruleset)
    cmap = load_commodity_map(ruleset.directory, catalogue.editions)
    under = population.FastCheck(catalogue, ruleset.get("2024").model, cmap).chunk([json.loads(x) for x in lines])
    before = batch.evaluate_columns([u for u in under if u is not None], "2024")
    rng, grouped = np.random.default_rng(5), 0
    for _ in range(20):
        after = before.take(np.arange(len(before)))
        n = len(after)
        for name in ("gate_result", "level", "points", "cap_applied"):
            arr = getattr(after, name)
            hit = rng.random(arr.shape) < rng.choice([0.0, 0.02, 0.2])
            values = rng.integers(0, 2, arr.shape).astype(bool) if arr.dtype == bool else \
                rng.integers(arr.min(initial=0), arr.max(initial=0) + 1, arr.shape).astype(arr.dtype)
            arr[hit] = values[hit]
        for name in ("status", "band", "stars", "score_cents"):
            arr = getattr(after, name)
            hit = rng.random(n) < 0.3
            arr[hit] = rng.permutation(arr)[hit]
        counts, moves = impact_rows.compare(before, after, ["f.jsonl"] * n)
        groups = impact_rows._alike(before, after, [i for i, m in enumerate(impact_rows.states(before)) if m !=
                                                    impact_rows.states(after)[i]])
        grouped += groups is not None and len(groups[0]) < len(moves)
        with monkeypatch.context() as m:
            m.setattr(impact_rows, "_alike", lambda *a: None)
            assert impact_rows.compare(before, after, ["f.jsonl"] * n) == (counts, moves)
        assert moves
    assert grouped >= 5  # rounds where movers share words
