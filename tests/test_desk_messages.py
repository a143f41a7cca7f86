"""The words of assessment errors (engine/inputs/messages.py): every CLI error of the malformed corpus has
Indonesian words with no English left in them, its English is the CLI's `--lang en`, and the API and the desk
answer both."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.errors import say
from engine.inputs import localized
from engine.inputs.messages import CATALOGUE, translated

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = re.compile(r"\b(is|not|missing|unknown|required|allowed|number|text|whole|range|valid|which|needs|one of|"
                     r"with|each|duplicate|first|wrong|type|write|mapping|did you mean|empty|edition|commodity|item|"
                     r"no id|sheet|row|column)\b")


def corpus() -> list[dict]:
    """Every error `ovop evaluate` gives for the malformed files in tests/broken_assessments, in both languages."""
    from engine import api
    from engine.errors import OvopError
    out = []
    for path in sorted((ROOT / "tests" / "broken_assessments").iterdir()):
        if path.name.endswith(".expected.txt"):
            continue
        try:
            api.evaluate_files([path], ROOT / "rules")
        except OvopError as exc:
            out += [{"file": path.name, **{f"{k}_{lang}": say(getattr(d, k), lang) if getattr(d, k) else None
                                           for k in ("message", "allowed", "path") for lang in ("id", "en")}}
                    for d in localized(exc.diagnostics)]
    return out


CORPUS = corpus()


def test_the_corpus_is_read():
    assert len(CORPUS) > 30
    assert {"file": "percent_over_100.yaml", "message_id": "120 di luar rentang", "message_en": "120 is out of range",
            "allowed_id": "angka dengan 0 <= x <= 100", "allowed_en": "a number with 0 <= x <= 100",
            "path_id": "2013-JT-0101: evidence.bahan_baku_lokal_pct",
            "path_en": "2013-JT-0101: evidence.bahan_baku_lokal_pct"} in CORPUS


def _words(text: str) -> str:
    """A message without what it quotes (values, names) and the parser's own words."""
    text = re.sub(r'"[^"]*"', '""', text)
    return re.sub(r"(Expecting|found) .*$", "", text)


@pytest.mark.parametrize("error", CORPUS, ids=lambda e: e["file"] + ":" + e["message_en"][:40])
def test_every_cli_error_has_indonesian_words(error):
    assert error["message_id"] != error["message_en"]
    assert not ENGLISH.search(_words(error["message_id"])), error["message_id"]
    assert not ENGLISH.search(_words(error["path_id"] or "").split(": ", 1)[0]), error["path_id"]
    allowed = error["allowed_en"]
    if allowed and not re.fullmatch(r"[a-z0-9_]+(, [a-z0-9_]+)*", allowed):
        assert error["allowed_id"] != allowed
        assert not ENGLISH.search(_words(error["allowed_id"]).split("(misalnya")[0]), error["allowed_id"]


def test_the_english_is_what_the_checks_wrote():
    """localized() only adds the Indonesian: the English of a plain message is the message itself."""
    for text in ('wrong type: "12" is text, not a number (write it without quotes)', "120 is out of range",
                 "a whole number with 1 <= x <= 3", 'duplicate id "a" in edition 2013 (first at f.yaml:2:3)',
                 "something no entry knows {with braces}"):
        assert say(translated(text), "en") == text
    assert say(translated('wrong type: "12" is text, not a number (write it without quotes)'), "id") == \
        'jenis salah: "12" adalah teks, bukan angka (tulis tanpa tanda kutip)'
    assert say(translated("something no entry knows {with braces}"), "id") == "something no entry knows {with braces}"


def test_quoted_values_are_never_translated():
    """A value the assessor wrote stays as written, even when it reads like a message."""
    assert say(translated('"a number" is not a valid code'), "id") == '"a number" bukan kode yang sah'


def test_every_entry_has_both_languages_and_the_same_arguments():
    for key, (id_text, en_text) in CATALOGUE.items():
        assert id_text and en_text, key
        assert sorted(re.findall(r"(?<!\{)\{(\w+)\}", id_text)) == sorted(re.findall(r"(?<!\{)\{(\w+)\}", en_text)), key
