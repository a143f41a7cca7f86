"""`ovop publish FILE.jsonl` reads JSON Lines through the fast population reader (engine.inputs.lines): the
database is the one the normal path (load_assessments, every record a pydantic model) gives, byte for byte in
every table, and its problems are worded the same (file:line:col, id, field, allowed)."""
from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import OvopError
from engine.inputs import load_assessments, read_population
from engine.inputs import lines as input_lines
from engine.publish import rows as publish_rows
from engine.publish.build import publish, publish_assessments
from engine.publish.schema import TABLES
from engine.rules.resolve import load_rules
from engine.synth.generate import synthesize

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"


@pytest.fixture(scope="module")
def ruleset():
    return load_rules(RULES)


def dump(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        return {t.name: conn.execute(f"select * from [{t.name}]").fetchall() for t in TABLES}
    finally:
        conn.close()


def written_forms(rng: Random, record: dict) -> str:
    """One record as a line, sometimes in a form only the text shows (the normal path reads it exactly)."""
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    number = next((k for k, v in record["evidence"].items() if isinstance(v, float)), None)
    pick = rng.randrange(10)
    if pick == 0 and number:  # more than 16 characters: the slow path keeps the text
        return line.replace(f'"{number}":{record["evidence"][number]}', f'"{number}":{record["evidence"][number]}00000000000000', 1)
    if pick == 1 and number:  # an exponent
        value = record["evidence"][number]
        return line.replace(f'"{number}":{value}', f'"{number}":{value * 10}e-1', 1)
    if pick == 2:  # a colon inside a text, spaces between tokens
        return line.replace('"product":"', '"product":"a: ', 1).replace(",", ", ")
    if pick == 3 and number:  # a trailing zero
        return line.replace(f'"{number}":{record["evidence"][number]}', f'"{number}":{record["evidence"][number]}0', 1)
    if pick == 4 and number:  # a number below 1e-4 (its float's repr has an exponent) written without one
        return line.replace(f'"{number}":{record["evidence"][number]}', f'"{number}":0.0000{rng.randrange(1, 99)}', 1)
    return line


@pytest.fixture(scope="module")
def population(ruleset, tmp_path_factory) -> list[Path]:
    """Two JSON Lines files (five editions, shuffled: not in key order) and a YAML file."""
    folder = tmp_path_factory.mktemp("lines")
    rng = Random(3)
    records = [r for e in ("2013", "2015", "2018", "2022", "2024") for r in synthesize(ruleset, e, 60, 5)]
    rng.shuffle(records)
    texts = [written_forms(rng, r) for r in records]
    one, two = folder / "a.jsonl", folder / "b.jsonl"
    one.write_bytes(b"\xef\xbb\xbf" + "\n".join(texts[:150]).encode() + b"\n\n")
    two.write_bytes("\r\n".join(texts[150:]).encode())
    yaml = folder / "c.yaml"
    yaml.write_text((ROOT / "datasets/samples/2018.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return [one, two, yaml]


@pytest.fixture()
def trained(monkeypatch):
    """Packing dictionaries trained on a sample of these few hundred records (as of every population of
    packing.SAMPLE or more)."""
    from engine.publish import packing
    monkeypatch.setattr(packing, "SAMPLE", 100)
    monkeypatch.setattr(packing, "DICT_SIZE", 4096)


def test_the_database_is_the_normal_paths_byte_for_byte(ruleset, population, tmp_path, monkeypatch, trained):
    monkeypatch.setattr(input_lines, "CHUNK", 37)  # several chunks, of both passes
    inputs = [(f.as_posix(), hashlib.sha256(f.read_bytes()).hexdigest()) for f in population]
    normal = tmp_path / "normal.db"
    publish_assessments(normal, load_assessments(population, ruleset), ruleset, inputs, check=20, what_if=True)
    fast = tmp_path / "fast.db"
    report = publish(fast, population, RULES, check=20, what_if=True)
    scan = read_population(population, ruleset)
    assert sum(scan.slow) > 10 and len(scan.held) > 0  # both kinds were read (slowly and fast), and held ones
    a, b = dump(normal), dump(fast)
    assert report.assessments == len(a["outcomes"]) > 300 and report.checked == 20
    for table in a:
        assert a[table] == b[table], table
    assert [r[1] for r in b["codecs"]] == ["zstd level 3, magic-less frames, dictionary trained on 100 sampled values "
                                           "(zstandard.train_dictionary)"] * 2


def test_problems_are_worded_as_the_normal_path_words_them(ruleset, population, tmp_path):
    lines = population[0].read_bytes()[3:].decode().splitlines()[:40]
    rng = Random(8)
    for k in (3, 9, 17):
        raw = json.loads(lines[k])
        raw["evidence"][rng.choice(sorted(raw["evidence"]))] = rng.choice([120, -1, "x", True, None, 2.5])
        lines[k] = json.dumps(raw, separators=(",", ":"))
    lines[25] = lines[12]  # a duplicate id
    lines[30] = '{"id":"x-1","edition":"2099","ikm":{}}'
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(OvopError) as normal:
        load_assessments([bad, population[2]], ruleset)
    with pytest.raises(OvopError) as fast:
        read_population([bad, population[2]], ruleset)
    assert fast.value.render() == normal.value.render()
    assert "duplicate id" in fast.value.render() and f"{bad}:4:" in fast.value.render()
    with pytest.raises(OvopError) as in_workers, pytest.MonkeyPatch.context() as mp:
        mp.setattr(input_lines, "PARALLEL_BYTES", 0)  # chunks parsed and checked in two workers
        mp.setattr(input_lines, "CHUNK", 7)
        read_population([bad, population[2]], ruleset, workers=2)
    assert in_workers.value.render() == normal.value.render()


def test_the_first_pass_in_workers_keeps_what_it_keeps_alone(ruleset, population, monkeypatch):
    monkeypatch.setattr(input_lines, "CHUNK", 11)
    alone = input_lines.Population(ruleset).scan(population)
    monkeypatch.setattr(input_lines, "PARALLEL_BYTES", 0)
    together = input_lines.Population(ruleset).scan(population, workers=2)
    assert sum(alone.slow) > 10 and len(alone.keys) > 300
    for name in ("keys", "file_of", "offset", "line", "item", "slow", "errors"):
        assert getattr(together, name) == getattr(alone, name), name


def test_a_syntax_error_is_all_a_file_reports(ruleset, population, tmp_path):
    lines = population[0].read_bytes()[3:].decode().splitlines()[:10]
    lines[4] = lines[4][:-5]
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(OvopError) as normal:
        load_assessments([broken, empty], ruleset)
    with pytest.raises(OvopError) as fast:
        read_population([broken, empty], ruleset)
    assert fast.value.render() == normal.value.render() and "JSON syntax error" in fast.value.render()


def test_a_failed_publish_leaves_the_last_database(ruleset, population, tmp_path):
    db = tmp_path / "ovop.db"
    publish(db, population[:1], RULES, check=0)
    before = db.read_bytes()
    bad = tmp_path / "bad.jsonl"
    bad.write_text(population[0].read_bytes()[3:].decode().replace('"gates":{', '"gates":{"izin_usaha":7,', 1),
                   encoding="utf-8")
    with pytest.raises(OvopError, match="izin_usaha"):
        publish(db, [bad], RULES, check=0)
    assert db.read_bytes() == before


TEXTS = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
NUMBERS = st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-2**70, 2**70),
                    st.sampled_from([0.0, -0.0, 1e-4, 9.999e-5, 1e16, 9999999999999998.0, 0.1, 85.5]))


@settings(max_examples=300, deadline=None)
@given(ikm=st.dictionaries(st.sampled_from(["name", "province", "regency", "commodity", "product"]), TEXTS),
       gates=st.dictionaries(TEXTS, st.one_of(st.booleans(), NUMBERS)),
       evidence=st.dictionaries(TEXTS, st.one_of(NUMBERS, TEXTS)))
def test_canonical_json_by_orjson_is_the_careful_text(ikm, gates, evidence):
    d = {"id": "x", "edition": "2024", "ikm": ikm, "gates": gates, "evidence": evidence}
    assert publish_rows.canonical_dict(d) == publish_rows.canonical_careful(d)


def test_workers_do_not_change_the_database(ruleset, population, tmp_path, monkeypatch, trained):
    """Chunks worked out in worker processes (engine.publish.parallel) give the in-process database, table by
    table, and the --check sample reads the same trace rows back from the packed traces."""
    from engine.publish import parallel, write
    monkeypatch.setattr(write, "CHUNK", 23)
    alone = tmp_path / "alone.db"
    one = publish(alone, population, RULES, check=30, workers=0)
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 50)
    monkeypatch.setattr(input_lines, "PARALLEL_BYTES", 0)  # the first pass in the workers too
    monkeypatch.setattr(input_lines, "CHUNK", 31)
    started = []
    from engine import workers as engine_workers
    monkeypatch.setattr(engine_workers.multiprocessing, "get_context", lambda kind, real=engine_workers.multiprocessing.get_context:
                        started.append(kind) or real(kind))
    together = tmp_path / "together.db"
    two = publish(together, population, RULES, check=30, workers=2)
    assert parallel.WORKERS is None  # as it was before the publish
    assert started == ["fork"] * 3 and one.checked  # the first pass of each JSON Lines file, then the rows == two.checked == 30 and one.assessments == two.assessments > 300
    a, b = dump(alone), dump(together)
    for table in a:
        assert a[table] == b[table], table


@pytest.mark.parametrize("chunk,sub", [(7, 3), (50, 1000), (5000, 1000)])
@pytest.mark.parametrize("by_edition", [False, True])
def test_the_first_pass_keeps_each_record_where_readline_finds_it(ruleset, population, tmp_path, monkeypatch,
                                                                   chunk, sub, by_edition):
    """Offsets, line numbers and items kept by the first pass (chunks read at once, or line by line where a
    blank line, a CRLF ending or a record of another edition is among them) are those of the lines as
    `readline` reads the file: blank lines counted as lines, not as items."""
    monkeypatch.setattr(input_lines, "CHUNK", chunk)
    monkeypatch.setattr(input_lines, "SUB", sub)
    rng = Random(chunk)
    records = [x.removeprefix(b"\xef\xbb\xbf") for path in population[:2] for x in path.read_bytes().splitlines()
               if x.strip()][:280]
    if by_edition:  # as a population of one round mostly is: chunks of one edition, read at once
        records.sort(key=lambda x: json.loads(x)["edition"])
    accepted = input_lines.Population.accepted
    at_once = []
    monkeypatch.setattr(input_lines.Population, "accepted", lambda self, data: at_once.append(accepted(self, data))
                        or at_once[-1])
    blobs = []
    for x in records:
        blobs.append(x + (b"\r\n" if rng.random() < 0.03 else b"\n"))
        if rng.random() < 0.04:
            blobs.append(rng.choice([b"\n", b"  \n", b"\t\r\n"]))
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"".join(blobs).rstrip(b"\n"))  # the last line without its newline
    scan = input_lines.Population(ruleset).scan([path])
    assert not scan.errors
    want, offset, item = {}, 0, 0
    with open(path, "rb") as f:
        for number, blob in enumerate(f, 1):
            if not blob.isspace():
                item += 1
                raw = json.loads(blob)
                want[raw["edition"] + "\0" + raw["id"]] = (offset, number, item)
            offset += len(blob)
    assert len(scan.keys) == len(want) == 280 and sum(scan.slow) > 5  # some read by the normal path
    assert {k: (scan.offset[i], scan.line[i], scan.item[i]) for i, k in enumerate(scan.keys)} == want
    assert list(scan.keys) == list(want)
    if chunk == 7:  # small chunks: some read at once (of one edition, no blank line, all accepted), some not
        assert any(k is not None for k in at_once) == by_edition and None in at_once


def test_line_starts_are_where_the_blobs_start():
    """The first pass's offsets of a chunk read at once (`lines._starts`) are those of `chunks.blobs`' lines."""
    import numpy as np
    from random import Random
    from engine.inputs import chunks
    from engine.inputs.lines import _starts
    rng = Random(3)
    for _ in range(2000):
        data = bytes(rng.choice(b"ab\n") for _ in range(rng.randrange(0, 30)))
        sizes = [len(b) for b in chunks.blobs(data)]
        assert _starts(data).tolist() == (np.cumsum(sizes, dtype=np.int64) - sizes).tolist(), data


def test_a_record_is_plain_only_where_no_number_of_its_block_is_below_1e_4(ruleset, tmp_path):
    """Record.plain (canonical_bytes then takes orjson's text without looking at each float) is set for a block
    read at once whose lines hold no number written below 1e-4; such a number, or a block read line by line,
    leaves the floats looked at."""
    records = synthesize(ruleset, "2024", 30, 5)
    number = next(k for k, v in records[0]["evidence"].items() if isinstance(v, float))
    lines = [json.dumps(r, separators=(",", ":")) for r in records]
    plain, tiny, colon = tmp_path / "plain.jsonl", tmp_path / "tiny.jsonl", tmp_path / "colon.jsonl"
    plain.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tiny.write_text("\n".join(lines[:-1] + [lines[-1].replace(f'"{number}":', f'"{number}":0.00002,"x":', 1)
                                            .replace(',"x":' + str(records[-1]["evidence"][number]), "", 1)]) + "\n",
                    encoding="utf-8")
    colon.write_text("\n".join(lines[:-1] + [lines[-1].replace('"product":"', '"product":"a: ', 1)]) + "\n",
                     encoding="utf-8")  # the colons are not the keys: every line of the block parsed alone
    read = {f.name: list(read_population([f], ruleset).records()) for f in (plain, tiny, colon)}
    assert all(r.plain for r in read["plain.jsonl"])
    assert not any(r.plain for r in read["tiny.jsonl"]) and not any(r.plain for r in read["colon.jsonl"])
    assert read["tiny.jsonl"][-1]["evidence"][number] == 0.00002
    for found in read.values():
        assert len(found) == 30
        for r in found:
            assert publish_rows.canonical_bytes(r, r.plain) == publish_rows.canonical_careful(r).encode()


def test_none_and_bytes_bound_directly_write_the_same_database(ruleset, population, tmp_path, monkeypatch):
    """engine.publish.write.bind_directly (None and bytes found in sqlite3's adapter registry) changes nothing
    written: the database without those adapters is the same, table by table and value by value."""
    import sqlite3 as sq
    from engine.publish import write
    registry = {k: sq.adapters.pop(k) for k in [(type(None), sq.PrepareProtocol), (bytes, sq.PrepareProtocol)]
                if k in sq.adapters}
    try:
        monkeypatch.setattr(write, "bind_directly", lambda: None)
        plain = publish(tmp_path / "plain.db", population, RULES, check=0)
        assert (type(None), sq.PrepareProtocol) not in sq.adapters
        monkeypatch.undo()
        fast = publish(tmp_path / "fast.db", population, RULES, check=0)
        assert sq.adapters[(type(None), sq.PrepareProtocol)] is not None
        assert sq.adapters[(bytes, sq.PrepareProtocol)] is bytes
    finally:
        sq.adapters.update(registry)
    a, b = dump(plain.db_path), dump(fast.db_path)
    assert a == b and sum(map(len, a.values())) > 1000
    conn = sq.connect(":memory:")
    row = conn.execute("select typeof(?), typeof(?), ? = x'00ff'", (None, b"", b"\x00\xff")).fetchone()
    assert row == ("null", "blob", 1)


def test_the_second_pass_parses_alone_only_what_the_first_read_at_once(ruleset, tmp_path, monkeypatch):
    """Scan.exact marks the records of chunks the first pass read at once (no exponent, long number or key
    written twice in them); the second pass parses those with orjson alone and looks at the bytes of the
    others (`parse_lines`): the records are those every line read by itself gives."""
    monkeypatch.setattr(input_lines, "CHUNK", 10)  # lines of a chunk of the first pass
    records = synthesize(ruleset, "2024", 30, 5)
    number = next(k for k, v in records[0]["evidence"].items() if isinstance(v, float))
    lines = [json.dumps(r, separators=(",", ":")) for r in records]
    value = records[14]["evidence"][number]
    # the second chunk: an exponent (read by the normal path) and a colon inside a text (the colons are not the
    # keys: its lines are read one by one)
    lines[14] = lines[14].replace(f'"{number}":{value}', f'"{number}":{value * 10}e-1', 1)
    lines[15] = lines[15].replace('"product":"', '"product":"a: ', 1)
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    scan = read_population([path], ruleset)
    assert not scan.errors and [i for i, s in enumerate(scan.slow) if s] == [14]
    assert list(scan.exact) == [1] * 10 + [0] * 10 + [1] * 10
    read = list(scan.records())
    assert read[:14] + read[15:] == [input_lines.parse_line(line.encode()) for line in lines[:14] + lines[15:]]
    assert read[15]["ikm"]["product"].startswith("a: ") and read[14].id == records[14]["id"]


def test_typed_records_write_the_database_dicts_write(ruleset, tmp_path, monkeypatch, trained):
    """Chunks of records the first pass read at once are read again as typed records (engine.inputs.scan.
    Scan.typed) and made rows of without a dict (engine.publish.parallel.typed_rows): the database is the one
    the records read as dicts give, table by table. Among them: chunks of two editions, a number below 1e-4,
    a trailing zero, a colon in a text (each read as dicts), in workers and here."""
    from engine.inputs.scan import Records
    from engine.publish import parallel, write
    monkeypatch.setattr(write, "CHUNK", 23)
    monkeypatch.setattr(input_lines, "CHUNK", 29)
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 50)
    rng = Random(11)
    records = sorted((r for e in ("2013", "2018", "2022", "2024") for r in synthesize(ruleset, e, 70, 9)),
                     key=lambda r: (r["edition"], r["id"]))
    texts = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records]
    for k in rng.sample(range(len(texts)), 6):
        texts[k] = written_forms(Random(k), records[k])
    path = tmp_path / "sorted.jsonl"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    made = []
    real = parallel.typed_rows
    monkeypatch.setattr(parallel, "typed_rows", lambda *a: made.append(real(*a)) or made[-1])
    for workers in (0, 2):
        made.clear()
        typed = publish(tmp_path / f"typed{workers}.db", [path], RULES, check=10, workers=workers)
        if workers == 0:
            assert sum(m is not None for m in made) >= 4
        with monkeypatch.context() as m:
            m.setattr(Records, "typed", lambda self, positions: None)
            dicts = publish(tmp_path / f"dicts{workers}.db", [path], RULES, check=10, workers=workers)
        a, b = dump(typed.db_path), dump(dicts.db_path)
        assert typed.assessments == len(records) == len(a["outcomes"])
        for table in a:
            assert a[table] == b[table], table
