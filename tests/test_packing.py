"""Packed inputs and traces (engine/publish/packing.py): what is packed unpacks to the same text, the SQL
function reads it, and a crafted value cannot fill memory."""
from __future__ import annotations

import sqlite3
import zlib

import zstandard

import pytest

from engine.publish import packing

DICT = b'[[1,"true","pass",null],[2,"1",null,3]]'


def test_a_trace_round_trips_with_its_step_numbers():
    rows = [(7, 1, 11, "true", "pass", None), (7, 2, 12, "91.4", None, 3), (7, 3, 13, None, None, 3)]
    text = packing.trace_text(rows)
    assert text == '[[11,"true","pass",null],[12,"91.4",null,3],[13,null,null,3]]'
    assert packing.trace_rows(7, packing.unpack(packing.pack(text, DICT), DICT)) == rows


def test_steps_not_numbered_from_one_are_refused():
    with pytest.raises(ValueError, match="not numbered 1..N"):
        packing.trace_text([(1, 1, 11, None, None, None), (1, 3, 12, None, None, None)])


def test_the_dictionary_makes_it_small_and_is_needed_to_read_it():
    text = '{"evidence":{"bahan_baku_lokal_pct":91.4},"gates":{"izin_usaha":true}}'
    dictionary = b'{"evidence":{"bahan_baku_lokal_pct":1},"gates":{"izin_usaha":true}}'
    packed = packing.pack(text, dictionary)
    assert len(packed) < len(zlib.compress(text.encode(), 9)) / 2
    assert packing.unpack(packed, dictionary) == text
    with pytest.raises(ValueError, match="not a packed value"):
        packing.unpack(packed, b"")


def _samples(n: int) -> list[bytes]:
    return [('{"evidence":{"a":%d,"b":"%s"},"gates":{"g":%s},"id":"2024-%06d"}'
             % (k % 97, "xyz"[k % 3] * (k % 5), "true" if k % 2 else "false", k)).encode() for k in range(n)]


def test_trained_dictionaries_are_the_same_bytes_every_time_and_pack_smaller():
    samples = _samples(packing.SAMPLE)
    trained = packing.train(samples)
    assert trained == packing.train(list(samples))  # verify trains again and compares bytes
    assert trained[:4] == b"\x37\xa4\x30\xec"  # a zstd dictionary (the raw-content ones are templates)
    raw = b'{"evidence":{"a":1,"b":""},"gates":{"g":true},"id":"2024-"}'
    test = _samples(3 * packing.SAMPLE)[packing.SAMPLE:]
    assert sum(len(packing.pack(t, trained)) for t in test) < sum(len(packing.pack(t, raw)) for t in test)
    assert all(packing.unpack(packing.pack(t, trained), trained) == t.decode() for t in test[:50])
    with pytest.raises(ValueError, match="does not train"):
        packing.train([b"x"] * 3)


def test_the_sample_is_spread_over_the_population_or_empty():
    assert packing.sample_positions(packing.SAMPLE - 1) == []
    assert packing.sample_positions(packing.SAMPLE) == list(range(packing.SAMPLE))
    spread = packing.sample_positions(10 * packing.SAMPLE)
    assert len(spread) == packing.SAMPLE and spread[0] == 0 and spread[-1] == 10 * packing.SAMPLE - 10
    assert spread == sorted(set(spread))


def test_a_crafted_frame_without_its_size_is_bounded_too():
    params = zstandard.ZstdCompressionParameters.from_level(3, format=packing.FORMAT, write_content_size=0)
    unsized = zstandard.ZstdCompressor(compression_params=params).compress(b" " * (packing.MAX_UNPACKED + 1))
    with pytest.raises(ValueError):
        packing.unpack(unsized, b"")


def test_sql_reads_packed_values_and_a_bomb_is_refused():
    conn = sqlite3.connect(":memory:")
    packing.register(conn)
    packed = packing.pack("[1,2,3]", DICT)
    assert conn.execute("select ovop_unpack(?, ?)", [packed, DICT]).fetchone() == ("[1,2,3]",)
    assert conn.execute("select ovop_unpack(null, ?)", [DICT]).fetchone() == (None,)
    with pytest.raises(sqlite3.OperationalError):  # ovop_pack is not there on a reading connection
        conn.execute("select ovop_pack('x', ?)", [DICT])
    bomb = packing.pack(" " * (packing.MAX_UNPACKED + 1), DICT)
    assert len(bomb) < 10_000
    with pytest.raises(sqlite3.OperationalError, match="user-defined function raised exception"):
        conn.execute("select ovop_unpack(?, ?)", [bomb, DICT]).fetchone()


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_VALUE = st.one_of(st.none(), st.text(), st.sampled_from(['"', "\\", "\x00", "\x1f", "\x7f", "\u2028", "é", "🙂", "</"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**6), _VALUE, _VALUE, st.one_of(st.none(), st.integers(-10**20, 10**20))),
                max_size=6))
def test_a_trace_joined_from_its_step_texts_is_the_careful_text(steps):
    """engine.publish.batch joins each step's text (remembered per edition) into the trace: the same text."""
    rows = [(1, k, *s) for k, s in enumerate(steps, 1)]
    joined = "[" + ",".join(packing.TRACE_JSON.encode(list(s)) for s in steps) + "]"
    assert joined == packing.trace_text(rows)
