"""The desk's error words: every CLI error of the malformed corpus has Indonesian words (engine/web/messages),
the English beside them is the CLI's own, and the field is named once."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.web.messages import both, indonesian

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = re.compile(r"\b(is|not|missing|unknown|required|allowed|number|text|whole|range|valid|which|needs|one of|"
                     r"with|each|duplicate|first|wrong|type|write|mapping|did you mean|empty|edition|commodity)\b")


def corpus() -> list[dict]:
    """message and allowed of every error `ovop evaluate` gives for the malformed files in tests/broken_assessments."""
    from engine import api
    from engine.errors import OvopError
    out = []
    for path in sorted((ROOT / "tests" / "broken_assessments").iterdir()):
        if path.name.endswith(".expected.txt"):
            continue
        try:
            api.evaluate_files([path], ROOT / "rules")
        except OvopError as exc:
            out += [{"message": d.message, "allowed": d.allowed, "file": path.name} for d in exc.diagnostics]
    return out


CORPUS = corpus()


def test_the_corpus_is_read():
    assert len(CORPUS) > 30
    assert {"message": "120 is out of range", "allowed": "a number with 0 <= x <= 100",
            "file": "percent_over_100.yaml"} in CORPUS


@pytest.mark.parametrize("error", CORPUS, ids=lambda e: e["file"] + ":" + e["message"][:40])
def test_every_cli_error_has_indonesian_words(error):
    msg = error["message"]
    if " / " in msg or msg.startswith("Expecting") or msg.startswith("found ") or "YAML" in msg:
        return  # already in both languages, or a parser's own words (quoted as they are)
    said = indonesian(re.sub(r'"[^"]*"', '""', msg))
    assert said != msg and not ENGLISH.search(re.sub(r'"[^"]*"', "", said)), (msg, indonesian(msg))
    allowed = error["allowed"]
    if allowed and not re.fullmatch(r"[a-z0-9_]+(, [a-z0-9_]+)*", allowed):
        assert not ENGLISH.search(indonesian(allowed).split("(e.g.")[0]), (allowed, indonesian(allowed))


def test_both_is_indonesian_first_with_the_cli_words_beside():
    e = {"message": "120 is out of range", "allowed": "a number with 0 <= x <= 100"}
    assert both(e) == ("120 di luar rentang — boleh: angka dengan 0 <= x <= 100 / "
                       "120 is out of range — allowed: a number with 0 <= x <= 100")
    assert indonesian('"internasional" is not a valid code (did you mean "nasional"?)') == \
        '"internasional" bukan kode yang sah (maksud Anda "nasional"?)'
    assert indonesian('wrong type: "12" is text, not a number (write it without quotes)') == \
        'jenis salah: "12" adalah teks, bukan angka (tulis tanpa tanda kutip)'
    assert both({"message": "dan 3 kesalahan lagi / and 3 more errors", "allowed": None}) == \
        "dan 3 kesalahan lagi / and 3 more errors"
