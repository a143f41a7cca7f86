"""The words of assessment errors: every message a user sees about an assessment, Indonesian and English.

The mechanism is the rules check's (engine.rules.messages): `t(key, **args)` gives a Text (engine.errors),
English as a str, either language by `say(lang)`; `Diagnostic.render(lang)` and `OvopError.render(lang)`
choose. The checks of this package word their messages with `t`.

`localized(diagnostics)` gives Text to a message still written as a plain English str by a module that
does not call `t` yet (engine.inputs.values, read, lines): the English template of every entry of the
catalogue is matched against it, its arguments translated in turn, so `say("id")` is Indonesian. A text
no entry matches is kept as written. It also words, in both languages, the place names the readers put
in a diagnostic's path and file ("item 2 (no id)", "sheet ..., row 5, column H").
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from ..errors import Diagnostic, Text
from ..rules import messages as rule_words

# key: (Bahasa Indonesia, English)
CATALOGUE: dict[str, tuple[str, str]] = {
    # ---- the shape of an assessment (engine.inputs.assessment) -------------------------------
    "not_an_assessment": ("sebuah penilaian berupa pemetaan (kunci: nilai), bukan {what}",
                          "an assessment is a mapping (key: value), not {what}"),
    "empty_list": ("berkas ini berisi daftar kosong", "the file holds an empty list"),
    "empty_list_ok": ("satu penilaian (pemetaan) atau daftar penilaian", "one assessment (a mapping) or a list of them"),
    "wrong_form": ('"{value}" bentuknya salah', '"{value}" has the wrong form'),
    "id_ok": ("huruf, angka, '.', '_' dan '-', diawali huruf atau angka (misalnya 2024-JB-0007)",
              "letters, digits, '.', '_' and '-', starting with a letter or digit (e.g. 2024-JB-0007)"),
    "edition_ok": ('kode edisi sebagai teks berkutip, misalnya "2024"', 'an edition id as quoted text, e.g. "2024"'),
    "previous_edition_ok": ('kode edisi sebagai teks berkutip, misalnya "2022"',
                            'an edition id as quoted text, e.g. "2022"'),
    "previous_stars_ok": ("0 (tanpa bintang) atau jumlah bintang pada skala edisi itu",
                          "0 (no stars) or a star count of that edition"),
    "ikm_ok": ("pemetaan berisi name, province, regency, commodity, product",
               "a mapping with name, province, regency, commodity, product"),
    "gates_ok": ("pemetaan fakta syarat ke nilainya, misalnya izin_usaha: true",
                 "a mapping of gate facts to values, e.g. izin_usaha: true"),
    "evidence_ok": ("pemetaan nama bukti ke nilainya, misalnya bahan_baku_lokal_pct: 85",
                    "a mapping of evidence names to values, e.g. bahan_baku_lokal_pct: 85"),
    "previous_ok": ('pemetaan seperti {{edition: "2022", stars: 2}}', 'a mapping like {{edition: "2022", stars: 2}}'),
    "nonempty_text": ("teks yang tidak kosong", "non-empty text"),
    "unknown_edition": ('edisi "{edition}" tidak dikenal{hint}', 'unknown edition "{edition}"{hint}'),
    "whatif_commodity": ("edisi what-if {edition}: {why}", "what-if edition {edition}: {why}"),
    "commodity_not_in_list": ('komoditas "{code}" tidak ada dalam daftar edisi {edition}{hint}',
                              'commodity "{code}" is not in edition {edition}\'s list{hint}'),
    "unknown_gate": ('fakta syarat "{name}" tidak dikenal: tidak ada edisi yang memuatnya{hint}',
                     'unknown gate fact "{name}": no edition defines it{hint}'),
    "unknown_evidence": ('bukti "{name}" tidak dikenal: tidak ada edisi yang memuatnya{hint}',
                         'unknown evidence "{name}": no edition defines it{hint}'),
    "missing_gate_for": ('fakta syarat "{name}" belum ada, padahal edisi {edition} memerlukannya untuk komoditas '
                         '{commodity}', 'missing gate fact "{name}", which edition {edition} needs for commodity '
                         '{commodity}'),
    "missing_gate": ('fakta syarat "{name}" belum ada, padahal edisi {edition} memerlukannya',
                     'missing gate fact "{name}", which edition {edition} needs'),
    "missing_evidence": ('bukti "{name}" belum ada, padahal edisi {edition} memerlukannya',
                         'missing evidence "{name}", which edition {edition} needs'),
    "not_earlier": ("edisi {edition} tidak lebih awal dari edisi penilaian ini ({this})",
                    "edition {edition} is not earlier than this assessment's edition {this}"),
    "outside_scale_of": ("{stars} di luar skala bintang edisi {edition}", "{stars} is outside edition {edition}'s star scale"),
    "outside_scale": ("{stars} di luar skala bintang", "{stars} is outside the star scale"),
    "stars_from_to": ("0 (tanpa bintang) atau {low} sampai {high}", "0 (no stars) or {low} to {high}"),
    "stars_or_more": ("0 (tanpa bintang) atau lebih", "0 (no stars) or more"),
    "duplicate_id": ('nomor penilaian "{ident}" ganda dalam edisi {edition} (pertama di {first})',
                     'duplicate id "{ident}" in edition {edition} (first at {first})'),
    "each_id_once": ("setiap nomor penilaian sekali per edisi", "each id once per edition"),
    "file_changed": ("berkas berubah selagi dibaca", "the file changed while read"),
    # what a value is, when it is not an assessment (a Python type's name said in words)
    "type_str": ("teks", "text"),
    "type_list": ("daftar", "a list"),
    "type_number": ("angka", "a number"),
    "type_bool": ("nilai benar/salah", "a yes/no value"),
    "type_null": ("nilai kosong (null)", "no value (null)"),
    # ---- one value for its definition (engine.inputs.values) ----------------------------------
    "wrong_type_bool": ("jenis salah: {what}, bukan true atau false", "wrong type: {what}, not true or false"),
    "wrong_type_code": ("jenis salah: {what}, bukan kode", "wrong type: {what}, not a code"),
    "wrong_type_number": ("jenis salah: {what}, bukan angka{hint}", "wrong type: {what}, not a number{hint}"),
    "got_null": ("tanpa nilai (null)", "no value (null)"),
    "got_bool": ("{written} adalah nilai benar/salah", "{written} is a boolean"),
    "got_number": ("{written} adalah angka", "{written} is a number"),
    "got_text": ("{written} adalah teks", "{written} is text"),
    "got_list": ("sebuah daftar", "a list"),
    "got_mapping": ("sebuah pemetaan", "a mapping"),
    "hint_quotes": (" (tulis tanpa tanda kutip)", " (write it without quotes)"),
    "not_a_code": ('"{value}" bukan kode yang sah{hint}', '"{value}" is not a valid code{hint}'),
    "too_large_to_read": ("{written} terlalu besar untuk dibaca", "{written} is too large to be read"),
    "not_finite": ("{written} bukan bilangan terhingga", "{written} is not a finite number"),
    "not_written_whole": ("{written} tidak ditulis sebagai bilangan bulat (tulis {whole})",
                          "{written} is not written as a whole number (write {whole})"),
    "not_whole": ("{written} bukan bilangan bulat", "{written} is not a whole number"),
    "out_of_range": ("{written} di luar rentang", "{written} is out of range"),
    "too_many_digits": ("{written} memiliki lebih dari {n} angka penting, lebih dari yang dibandingkan mesin aturan "
                        "secara persis", "{written} has more than {n} significant digits, more than the rules engine "
                        "compares exactly"),
    # what a value may be (Spec.describe)
    "want_bool": ("true (ya) atau false (tidak)", "true or false"),
    "want_one_of": ("salah satu dari: {codes}", "one of: {codes}"),
    "want_whole_in": ("bilangan bulat dengan {domain}", "a whole number with {domain}"),
    "want_number_in": ("angka dengan {domain}", "a number with {domain}"),
    "want_whole": ("bilangan bulat", "a whole number"),
    "want_number": ("angka", "a number"),
    # ---- reading a file (engine.inputs.read, sheets) ------------------------------------------
    "json_syntax": ("kesalahan penulisan JSON: {what}", "JSON syntax error: {what}"),
    "duplicate_key_object": ('kunci "{key}" ditulis dua kali dalam satu objek', 'duplicate key "{key}" in one object'),
    "each_key_once_object": ("setiap kunci sekali per objek", "each key once per object"),
    "duplicate_key_mapping": ('kunci "{key}" ditulis dua kali dalam satu pemetaan (pertama di baris {first})',
                              'duplicate key "{key}" in one mapping (first at line {first})'),
    "yaml_tags_assessment": ("tag YAML tidak diizinkan di berkas penilaian", "YAML tags are not allowed in assessment files"),
    "no_header": ("tidak ada baris judul kolom", "no header row"),
    "no_header_ok": ("baris 1: id, edition, ikm.name, ..., gates.<fakta>, evidence.<nama>",
                     "row 1: id, edition, ikm.name, ..., gates.<fact>, evidence.<name>"),
    "not_utf8": ("bukan teks UTF-8 ({reason})", "not UTF-8 text ({reason})"),
    "utf8_csv_ok": ("berkas CSV UTF-8", "a UTF-8 CSV file"),
    "not_csv": ("tidak dapat dibaca sebagai CSV: {what}", "cannot read as CSV: {what}"),
    "not_xlsx": ("tidak dapat dibaca sebagai buku kerja Excel: {what}", "cannot read as an Excel workbook: {what}"),
    "xlsx_ok": ("berkas .xlsx, misalnya dari `ovop assessments template`",
                "an .xlsx file, e.g. from `ovop assessments template`"),
    "header_form": ('judul kolom "{header}" bentuknya salah', 'header "{header}" has the wrong form'),
    "header_form_ok": ("id, edition, ikm.<kolom>, gates.<fakta>, evidence.<nama>, previous.<kolom>",
                       "id, edition, ikm.<field>, gates.<fact>, evidence.<name>, previous.<field>"),
    "header_twice": ('judul kolom "{header}" muncul dua kali (pertama di kolom {first})',
                     'header "{header}" appears twice (first in column {first})'),
    "each_column_once": ("setiap kolom sekali", "each column once"),
    # ---- the evaluate API (engine.web.evaluate_api) ------------------------------------------
    "body_too_large": ("badan permintaan sebesar {size} bita melebihi batas", "body of {size} bytes is over the limit"),
    "body_too_large_ok": ("paling banyak {limit} bita (5 MB); pecah daftarnya", "at most {limit} bytes (5 MB); split the list"),
}

# what each top-level field of an assessment takes (the model's own wording lacks it)
FIELD_OK = {"id": "id_ok", "edition": "edition_ok", "previous.edition": "previous_edition_ok",
            "previous.stars": "previous_stars_ok", "ikm": "ikm_ok", "gates": "gates_ok", "evidence": "evidence_ok",
            "previous": "previous_ok"}
TYPE_WORDS = {str: "type_str", list: "type_list", int: "type_number", float: "type_number", bool: "type_bool",
              type(None): "type_null"}

# the place names readers put in a diagnostic's path and file: (pattern, Indonesian, English)
PLACES = [
    (re.compile(r"^item (\d+) \(no id\)"), r"butir \1 (tanpa id)"),
    (re.compile(r"^\(no id\)"), "(tanpa id)"),
    (re.compile(r"^item (\d+)(?=:|$)"), r"butir \1"),
]
SHEET_PLACE = re.compile(r"(: sheet (?P<sheet>[^,]+))?(, row (?P<row>\d+))?(, column (?P<col>[A-Z]+))?$")


def t(key: str, /, **args) -> Text:
    """The message `key` with its arguments, in both languages."""
    id_text, en_text = CATALOGUE[key]
    return Text(id_text, en_text, **args)


def type_words(raw) -> str:
    """What a value that is not an assessment is, in words (not a Python type's name)."""
    key = TYPE_WORDS.get(type(raw))
    return t(key) if key else type(raw).__name__


def localized(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics with message, allowed text, path and file in both languages where the catalogue knows them."""
    return [replace(d, message=translated(d.message), allowed=translated(d.allowed) if d.allowed else d.allowed,
                    path=place(d.path), file=_sheet_place(d.file)) for d in diagnostics]


def translated(text):
    """A Text for `text`: as it is when it is one already (its part-messages translated), else the catalogue entry
    whose English template it fills (this catalogue's, then the rules check's), or `text` itself in both languages."""
    if isinstance(text, Text):
        id_t, en_t = text.templates
        return Text(id_t, en_t, **{k: translated(v) if k in PARTS and isinstance(v, str) else v
                                   for k, v in text.args.items()})
    if not isinstance(text, str) or not text or " / " in text:
        return plain(str(text))
    return _match(str(text))


PARTS = frozenset(("what", "hint", "why", "message", "scaled", "a", "b"))  # arguments that are messages themselves


@lru_cache(maxsize=4096)
def _match(text: str) -> Text:
    for templates, pattern, words in _patterns():
        if words not in text:  # its longest run of literal words is not there: no need to try it
            continue
        m = pattern.fullmatch(text)
        if m:
            return Text(*templates, **{k: translated(v) if v and k in PARTS else v for k, v in m.groupdict().items()})
    return plain(text)


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[tuple[str, str], re.Pattern, str]]:
    out = []
    for templates in list(CATALOGUE.values()) + list(rule_words.CATALOGUE.values()):
        parts = re.split(r"(\{\{|\}\}|\{\w+\})", templates[1])
        fields = [p for p in parts if p.startswith("{") and p not in ("{{", "}}")]
        if fields and not "".join(p for p in parts if p not in fields).strip():
            continue  # no words of its own ("{what}"): it would match anything
        regex, seen = "", set()
        for p in parts:
            if p in fields:
                regex += "(?P=%s)" % p[1:-1] if p in seen else "(?P<%s>.*?)" % p[1:-1]
                seen.add(p)
            else:
                regex += re.escape(p[0] if p in ("{{", "}}") else p)
        literal = max((p for p in parts if p not in fields), key=len, default="")
        out.append((templates, re.compile(regex, re.S), literal.replace("{{", "{").replace("}}", "}")))
    return out


def plain(text: str, id_text: str | None = None) -> Text:
    """`text` as a Text, as written (braces and all), or `id_text` in Indonesian when given."""
    return Text("{i}", "{e}", i=text if id_text is None else id_text, e=text)


def place(path):
    """A path or label ("item 2 (no id): id") in both languages."""
    if not path or isinstance(path, Text):
        return path
    for pattern, id_text in PLACES:
        if pattern.search(path):
            return plain(path, pattern.sub(id_text, path))
    return path


def _sheet_place(file):
    if not file or isinstance(file, Text) or ", row " not in file and ": sheet " not in file:
        return file
    m = SHEET_PLACE.search(file)
    head = file[:m.start()]
    id_text = head + (f": lembar {m['sheet']}" if m["sheet"] else "") + (f", baris {m['row']}" if m["row"] else "") \
        + (f", kolom {m['col']}" if m["col"] else "")
    return plain(file, id_text)
