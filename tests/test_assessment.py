"""The assessors' input: model, loader diagnostics, what-if mapping, exact numbers, schema, samples."""
from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError
from ruamel.yaml import YAML

from engine.rules import yamlsrc
from engine.inputs.assessment import Assessment, load_assessments
from engine.errors import OvopError
from engine.rules.resolve import load_rules
from engine.inputs.schema import assessment_schema, schema_text
from rulecopy import copy_rules

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "broken_assessments"
SAMPLES = ROOT / "datasets" / "samples"
SCHEMA = ROOT / "schemas" / "assessment.schema.json"
CASES = sorted(p for p in BROKEN.iterdir() if p.suffix in (".yaml", ".json"))


@pytest.fixture(scope="module")
def rules(tmp_path_factory):
    """A copy of rules/ with its published editions only: the corpus' expected messages name the editions
    (did-you-mean, what is allowed), and those never change; a draft added to rules/ changes nothing here."""
    return load_rules(copy_rules(tmp_path_factory.mktemp("published") / "rules"), display_root="rules")


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def expected(case: Path, lang: str = "id") -> tuple[str, str]:
    """The kind and the diagnostics of a malformed file: X.expected.txt in Indonesian (the CLI's default),
    X.en.expected.txt in English (for some)."""
    suffix = ".expected.txt" if lang == "id" else f".{lang}.expected.txt"
    text = case.with_name(case.name.split(".")[0] + suffix).read_text(encoding="utf-8")
    kind, _, rendered = text.partition("\n")
    return kind.removeprefix("kind: "), rendered.rstrip("\n")


def errors_of(paths, rules, lang: str | None = None, **kw) -> str:
    with pytest.raises(OvopError) as info:
        load_assessments(paths, rules, **kw)
    return info.value.render(lang)


def sample(edition: str, index: int) -> dict:
    return yamlsrc.load(SAMPLES / f"{edition}.yaml").data[index]


def write(tmp_path: Path, name: str, data) -> Path:
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    else:
        yaml = YAML(typ="safe", pure=True)
        with path.open("w", encoding="utf-8") as fh:
            yaml.dump(data, fh)
    return path


# ---- the malformed corpus ---------------------------------------------------------------

def test_corpus_is_large_enough():
    assert len(CASES) >= 16
    assert {expected(c)[0] for c in CASES} == {"structural", "rules", "syntax"}


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_broken_file_gives_exactly_its_diagnostics(case, rules):
    _, rendered = expected(case)
    assert errors_of([case.relative_to(ROOT)], rules, "id") == rendered


ENGLISH_CASES = [c for c in CASES if c.with_name(c.name.split(".")[0] + ".en.expected.txt").exists()]


@pytest.mark.parametrize("case", ENGLISH_CASES, ids=lambda p: p.name)
def test_broken_file_in_english(case, rules):
    assert len(ENGLISH_CASES) >= 5
    kind, rendered = expected(case, "en")
    assert kind == expected(case)[0]
    assert errors_of([case.relative_to(ROOT)], rules, "en") == rendered == errors_of([case.relative_to(ROOT)], rules)


@pytest.mark.parametrize("case", [c for c in CASES if expected(c)[0] != "syntax"], ids=lambda p: p.name)
def test_schema_refuses_exactly_the_structural_cases(case):
    validator = Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    text = case.read_text(encoding="utf-8")
    data = json.loads(text) if case.suffix == ".json" else YAML(typ="safe", pure=True).load(text)
    refused = not validator.is_valid(data)
    assert refused == (expected(case)[0] == "structural")


# ---- types, finiteness, exactness -----------------------------------------------------------

@pytest.mark.parametrize("field,value,message", [
    ("nilai_tambah_pct", True, "wrong type: true is a boolean, not a number"),
    ("nilai_tambah_pct", "12", 'wrong type: "12" is text, not a number (write it without quotes)'),
    ("kanal_pemasaran", 2.5, "2.5 is not a whole number"),
    ("kanal_pemasaran", 3.0, "3.0 is not written as a whole number (write 3)"),
    ("tenaga_kerja_lokal_pct", 100.5, "100.5 is out of range"),
    ("pameran_2_tahun", -1, "-1 is out of range"),
    ("merek", 3, "wrong type: 3 is a number, not a code"),
    ("merek", None, "wrong type: no value (null), not a code"),
])
def test_wrong_values_are_named(tmp_path, rules, field, value, message):
    data = sample("2024", 0)
    data["evidence"][field] = value
    out = errors_of([write(tmp_path, "a.yaml", data)], rules)
    assert f"2024-JB-0007: evidence.{field}: {message}" in out


def test_a_boolean_gate_refuses_numbers_and_text(tmp_path, rules):
    data = sample("2024", 0)
    data["gates"].update(izin_usaha=1, dalam_sentra="ya")
    out = errors_of([write(tmp_path, "a.json", data)], rules)
    assert "gates.izin_usaha: wrong type: 1 is a number, not true or false" in out
    assert 'gates.dalam_sentra: wrong type: "ya" is text, not true or false' in out


@pytest.mark.parametrize("constant,shown", [("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity")])
def test_json_nan_and_infinity_are_refused(tmp_path, rules, constant, shown):
    text = json.dumps(sample("2024", 0)).replace('"omzet_tahunan_juta": 3100', f'"omzet_tahunan_juta": {constant}')
    (tmp_path / "a.json").write_text(text, encoding="utf-8")
    out = errors_of([tmp_path / "a.json"], rules)
    assert f"evidence.omzet_tahunan_juta: {shown} is not a finite number" in out


@pytest.mark.parametrize("written", [".nan", ".inf", "-.inf", ".NaN"])
def test_yaml_nan_and_infinity_are_refused(tmp_path, rules, written):
    text = (SAMPLES / "2013.yaml").read_text(encoding="utf-8").replace("omzet_tahunan_juta: 4200",
                                                                       f"omzet_tahunan_juta: {written}")
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    assert f"evidence.omzet_tahunan_juta: {written} is not a finite number" in errors_of([tmp_path / "a.yaml"], rules)


EXACT = {"bahan_baku_lokal_pct": ("0.00001", Fraction(1, 100000)),
         "omzet_tahunan_juta": ("10000000000000000", Fraction(10**16)),
         "jaminan_bahan_baku_tahun": ("0.1", Fraction(1, 10)),
         "nilai_tambah_pct": ("12.3456789012345", Fraction("12.3456789012345")),
         "lama_di_sentra_tahun": ("1e1", Fraction(10))}


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_numbers_are_kept_exact_as_written(tmp_path, rules, suffix):
    data = sample("2024", 0)
    for name in EXACT:
        data["evidence"][name] = f"@{name}@"
    text = json.dumps(data, indent=2)
    for name, (written, _) in EXACT.items():
        text = text.replace(f'"@{name}@"', written)
    (tmp_path / f"a{suffix}").write_text(text, encoding="utf-8")
    [assessment] = load_assessments([tmp_path / f"a{suffix}"], rules)
    values = assessment.exact_evidence()
    for name, (_, value) in EXACT.items():
        assert values[name] == value and isinstance(values[name], Fraction)
    assert assessment.number("omzet_tahunan_juta") == 10**16
    assert values["merek"] == "terdaftar"
    assert assessment.exact_gates()["unit_sentra"] == 12


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_more_digits_than_the_engine_compares_are_refused(tmp_path, rules, suffix):
    data = sample("2024", 0)
    text = json.dumps(data, indent=2).replace(f'"nilai_tambah_pct": {json.dumps(data["evidence"]["nilai_tambah_pct"])}',
                                              '"nilai_tambah_pct": 12.345678901234567890123')
    (tmp_path / f"a{suffix}").write_text(text, encoding="utf-8")
    out = errors_of([tmp_path / f"a{suffix}"], rules)
    assert "evidence.nilai_tambah_pct: 12.345678901234567890123 has more than 15 significant digits" in out


# ---- whole-call checks ----------------------------------------------------------------------

def test_duplicate_id_across_two_files(tmp_path, rules):
    one = write(tmp_path, "one.yaml", [sample("2022", 0)])
    two = write(tmp_path, "two.json", sample("2022", 0))
    out = errors_of([one, two], rules)
    assert f'{two}:2:3: 2022-BA-0001: id: duplicate id "2022-BA-0001" in edition 2022 (first at {one}:' in out


def test_same_id_in_two_editions_is_allowed(tmp_path, rules):
    a, b = sample("2022", 0), sample("2024", 3)
    b["id"] = a["id"]
    assert len(load_assessments([write(tmp_path, "a.yaml", [a, b])], rules)) == 2


def test_every_file_is_reported_in_one_call(rules):
    out = errors_of([Path("tests/broken_assessments/percent_over_100.yaml"),
                     Path("tests/broken_assessments/missing_gate.yaml")], rules)
    assert "percent_over_100.yaml:13:3" in out and "missing_gate.yaml:10:1" in out


def test_unreadable_and_empty_files(tmp_path, rules):
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    out = errors_of([tmp_path / "empty.yaml", tmp_path / "absent.yaml"], rules)
    assert "empty.yaml:1:1: the file is empty" in out and "absent.yaml: cannot read" in out


def test_evidence_of_another_edition_must_still_be_valid(tmp_path, rules):
    data = sample("2013", 0)
    data["evidence"]["inovasi_produk_2_tahun"] = 2
    assert load_assessments([write(tmp_path, "ok.yaml", data)], rules)[0].evidence["inovasi_produk_2_tahun"] == 2
    data["evidence"]["inovasi_produk_2_tahun"] = -1
    data["gates"]["unit_sentra"] = "lima"
    out = errors_of([write(tmp_path, "bad.yaml", data)], rules)
    assert "evidence.inovasi_produk_2_tahun: -1 is out of range" in out
    assert 'gates.unit_sentra: wrong type: "lima" is text, not a number' in out


def test_previous_edition_must_be_known_and_earlier(tmp_path, rules):
    data = sample("2024", 0)
    data["previous"] = {"edition": "2021", "stars": 1}
    assert 'previous.edition: unknown edition "2021"' in errors_of([write(tmp_path, "a.yaml", data)], rules)
    data["previous"] = {"edition": "2024", "stars": 0}
    assert "not earlier than this assessment's edition 2024" in errors_of([write(tmp_path, "b.yaml", data)], rules)
    data["previous"] = {"edition": "2022", "stars": 0}
    assert load_assessments([write(tmp_path, "c.yaml", data)], rules)[0].previous.stars == 0


# ---- what-if: another edition, commodity codes mapped -------------------------------------

@pytest.mark.parametrize("edition,index,target,code", [
    ("2013", 2, "2018", "kain_tenun"), ("2013", 2, "2024", "kain_tenun"),
    ("2015", 0, "2018", "kain_batik"), ("2015", 1, "2022", "anyaman"),
    ("2024", 3, "2013", "tenun"), ("2018", 1, "2015", "batik"), ("2022", 0, "2024", "kain_tenun"),
])
def test_what_if_maps_the_commodity(tmp_path, rules, edition, index, target, code):
    data = sample(edition, index)
    data["evidence"].setdefault("inovasi_produk_2_tahun", 1)
    data["gates"].update(dalam_sentra=True, unit_sentra=5, diusulkan_kabkota=True)
    data.pop("previous", None)
    [a] = load_assessments([write(tmp_path, "a.yaml", data)], rules, edition_override=target)
    assert (a.edition, a.ikm.commodity) == (target, code)
    assert (a.origin.edition, a.origin.commodity) == (edition, data["ikm"]["commodity"])


def test_what_if_food_codes(tmp_path, rules):
    data = sample("2015", 2)
    data["gates"]["izin_edar_pangan"] = True
    [a] = load_assessments([write(tmp_path, "a.yaml", data)], rules, edition_override="2018")
    assert a.ikm.commodity == "makanan_minuman"
    back = sample("2018", 0)
    out = errors_of([write(tmp_path, "b.yaml", back)], rules, edition_override="2013")
    assert ('what-if edition 2013: commodity "makanan_minuman" has no single code in edition 2013\'s list: '
            "it stands for makanan_ringan and minuman_sari_buah_sirup") in out


def test_what_if_names_what_the_target_edition_needs(rules):
    out = errors_of([Path("datasets/samples/2013.yaml")], rules, edition_override="2022")
    # a missing gate fact is unknown under what-if, not an error (CRITERIA.md section 7); missing evidence is
    assert "missing gate fact" not in out
    assert out.count('missing evidence "inovasi_produk_2_tahun", which edition 2022 needs') == 3
    assert "2013-SU-0003" not in out  # it has every piece of evidence 2022 asks for


def test_what_if_unknown_edition(rules):
    with pytest.raises(OvopError, match='unknown edition "2030"'):
        load_assessments([Path("datasets/samples/2013.yaml")], rules, edition_override="2030")


def test_commodity_map_is_checked(tmp_path, rules):
    import shutil
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    text = (tmp_path / "rules" / "commodity_map.yaml").read_text(encoding="utf-8")
    (tmp_path / "rules" / "commodity_map.yaml").write_text(text.replace("to: gerabah}", "to: gerabahh}"))
    with pytest.raises(OvopError, match='"gerabahh" is not a commodity of any edition'):
        load_assessments([Path("datasets/samples/2013.yaml")], load_rules(tmp_path / "rules"), edition_override="2018")


# ---- samples, model, schema ----------------------------------------------------------------

@pytest.mark.parametrize("edition", sorted(p.stem for p in SAMPLES.glob("*.yaml")))
def test_samples_load_and_say_they_are_synthetic(rules, edition):
    path = SAMPLES / f"{edition}.yaml"
    found = load_assessments([path], rules)
    assert 3 <= len(found) <= 4
    assert {a.edition for a in found} == {edition}
    assert all(a.id.startswith(f"{edition}-") and a.ikm.name.startswith("Contoh ") for a in found)
    assert path.read_text(encoding="utf-8").startswith("# SYNTHETIC")
    assert load_assessments([path], rules) == found  # deterministic


def test_all_samples_load_together_and_the_2024_ones_have_previous(rules):
    found = load_assessments(sorted(SAMPLES.glob("*.yaml")), rules)
    assert len({(a.edition, a.id) for a in found}) == len(found)
    assert [a.previous.stars for a in found if a.edition == "2024" and a.previous] == [2, 3, 1]


def test_assessment_is_frozen_and_strict(rules):
    [a] = load_assessments([Path("datasets/samples/2024.yaml")], rules)[:1]
    with pytest.raises(ValidationError):
        a.id = "x"
    with pytest.raises(ValidationError):
        Assessment.model_validate({**a.model_dump(), "extra": 1})


def test_committed_schema_is_the_generated_one():
    rules = load_rules(ROOT / "rules")  # every edition, drafts too: `ovop rules check` and `rules new` write it so
    assert SCHEMA.read_text(encoding="utf-8") == schema_text(rules), \
        "schemas/assessment.schema.json is stale: run `ovop rules check` (it rewrites the schema)"


def test_schema_knows_every_name_and_accepts_every_sample(rules):
    schema = assessment_schema(rules)
    Draft202012Validator.check_schema(schema)
    props = schema["$defs"]["Assessment"]["properties"]
    for resolved in rules.editions.values():
        assert {g.fact for g in resolved.model.gates} <= set(props["gates"]["properties"])
        assert set(resolved.model.evidence_names()) <= set(props["evidence"]["properties"])
    assert props["evidence"]["properties"]["bahan_baku_lokal_pct"] | {"description": ""} == \
        {"type": "number", "minimum": 0, "maximum": 100, "description": ""}
    validator = Draft202012Validator(schema)
    for path in sorted(SAMPLES.glob("*.yaml")):
        assert validator.is_valid(yamlsrc.load(path).data), path


ODD = ["42", "- 1\n- [2]\n", "id: 5\nedition: 2013\nikm: 5\ngates: [1]\nevidence: null\nprevious: x\n",
       "id: a\nedition: '2013'\nikm: {commodity: 5}\ngates: {1: true, izin_usaha: {a: 1}}\nevidence: {merek: [1]}\n"
       "previous: {edition: 5, stars: true}\n",
       "id: a\nedition: '2013'\nikm: {commodity: batik}\ngates: {}\nevidence: {}\nprevious: {edition: '2013', stars: -1}\n",
       "!!python/object:os.system x\n", "id: a\nedition: '2024'\nikm: {commodity: kain_tenun}\nprevious: {}\n",
       "{id: a, edition: '2013', ikm: {commodity: batik}, gates: {izin_usaha: true}, evidence: {tampilan_produk: 1e400}}",
       "[1, 2", '{"id": "a", "id": "b"}', "\ud7ff", "null\n"]


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
@pytest.mark.parametrize("text", ODD)
def test_odd_input_gives_diagnostics_not_tracebacks(tmp_path, rules, text, suffix):
    path = tmp_path / f"odd{suffix}"
    path.write_text(text, encoding="utf-8")
    out = errors_of([path], rules)
    assert out.startswith(str(path))
    assert "Traceback" not in out


def test_diagnostics_name_the_form_of_each_field(tmp_path, rules):
    path = tmp_path / "odd.yaml"
    path.write_text(ODD[2], encoding="utf-8")
    out = errors_of([path], rules)
    assert f'{path}:2:1: (no id): edition: wrong type: 2013 is a number, not text\n    allowed: an edition id as quoted text, e.g. "2024"' in out
    path.write_text(ODD[7], encoding="utf-8")
    assert "evidence.tampilan_produk: 1e400 is too large to be read" in errors_of([path], rules)
    path.write_text(ODD[5], encoding="utf-8")
    assert "YAML tags are not allowed in assessment files" in errors_of([path], rules)
