"""Hostile and careless input: each case of tests/hostile/ (or generated in tmp_path, to keep the corpus
small) run as a separate `ovop` process under a time and memory limit, so that a regression fails instead of
hanging the suite; the exact error text (stderr) and exit code are in tests/hostile/expected/NAME.txt.

In the expected texts `{tmp}` stands for the test's temporary folder. OVOP_HOSTILE_WRITE=1 rewrites them.
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = Path("tests/hostile")
EXPECTED = ROOT / HOSTILE / "expected"
SECONDS, MEMORY = 5, 500 * 2**20
RECORD = {"id": "2013-JT-0001", "edition": "2013",
          "ikm": {"name": "A", "province": "Jawa Tengah", "regency": "B", "commodity": "batik", "product": "p"},
          "gates": {"izin_usaha": "maybe"}, "evidence": {"bahan_baku_lokal_pct": "x" * 900}}


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (SECONDS, SECONDS))


def ovop(args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", "from engine.cli import main; main()", *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=SECONDS * 2, preexec_fn=_limits,
                          env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "COLUMNS": "200", **(env or {})})


# ---- generated inputs (big or special files are made at test time, in tmp_path)
def _deep_json(tmp: Path) -> Path:
    (tmp / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    return tmp / "deep.json"


def _deep_yaml(tmp: Path) -> Path:
    (tmp / "deep.yaml").write_text("[" * 100_000 + "]" * 100_000)
    return tmp / "deep.yaml"


def _fifo(tmp: Path) -> Path:
    os.mkfifo(tmp / "fifo.yaml")
    return tmp / "fifo.yaml"


def _too_big(tmp: Path) -> Path:
    with open(tmp / "big.yaml", "w") as f:
        f.write("a: " + "x" * (3 << 20) + "\n")  # over the 2 MiB limit the case sets
    return tmp / "big.yaml"


def _bad_values(tmp: Path) -> Path:
    """1 MB of minified JSON, 1,000 records with bad values, each line 1 MB long."""
    records = [dict(RECORD, id=f"2013-JT-{i:04d}") for i in range(1000)]
    (tmp / "bad.json").write_text(json.dumps(records, separators=(",", ":")))
    return tmp / "bad.json"


def _yaml_as_jsonl(tmp: Path) -> Path:
    """A YAML file given a .jsonl name (20 MB here; the time does not depend on the size)."""
    text = (ROOT / "datasets/samples/2013.yaml").read_text(encoding="utf-8")
    block = text[text.index("- id:"):]
    with open(tmp / "population.jsonl", "w", encoding="utf-8") as f:
        while f.tell() < 20_000_000:
            f.write(block)
    return tmp / "population.jsonl"


def _jsonl_with(tmp: Path, name: str, numbers: list[str]) -> Path:
    """A valid 2022 record, then one record per number written in its first evidence field (ids ...2, ...3)."""
    text = (ROOT / "datasets/samples/2022.yaml").read_text(encoding="utf-8")
    from engine.rules import yamlsrc
    record = yamlsrc.loads(text, "x").data[0]
    line = json.dumps(record)
    field = next(iter(record["evidence"]))
    at = line.index(f'"{field}": ') + len(field) + 4
    lines = [line] + [(line[:at] + number + line[line.index(",", at):]).replace(record["id"], record["id"][:-1] + str(k))
                      for k, number in enumerate(numbers, 2)]
    (tmp / name).write_text("\n".join(lines) + "\n")
    return tmp / name


def _exponent_jsonl(tmp: Path) -> Path:
    return _jsonl_with(tmp, "exp.jsonl", ["1e10000000"])


def _numbers_jsonl(tmp: Path) -> Path:
    """Every kind of number past a limit (and NaN, Infinity) on the population path, one per line."""
    return _jsonl_with(tmp, "numbers.jsonl", ["1e999999999", "NaN", "1" * 5000, "1." + "2" * 200, "Infinity",
                                              "1e10000000", "-1e-999999"])


def _nan_jsonl(tmp: Path) -> Path:
    return _jsonl_with(tmp, "nan.jsonl", ["NaN", "-Infinity"])


def _deep_jsonl(tmp: Path) -> Path:
    (tmp / "deep.jsonl").write_text("[" * 100_000 + "]" * 100_000 + "\n" + "1" * 5000 + "\n")
    return tmp / "deep.jsonl"


def _sparse(tmp: Path, name: str) -> Path:
    """A 200 MB file (sparse: made at once); read whole it took 8.9 GB."""
    with open(tmp / name, "wb") as f:
        f.truncate(200 * 10**6)
    return tmp / name


def _rules_with_fifo(tmp: Path) -> Path:
    shutil.copytree(ROOT / "rules", tmp / "rules")
    (tmp / "rules/2013/edition.yaml").unlink()
    os.mkfifo(tmp / "rules/2013/edition.yaml")
    return tmp / "rules"


def _csv_numbers(tmp: Path) -> Path:
    """A CSV of two 2024 sample assessments, the second with numbers past the limits in three cells."""
    import csv
    from engine.rules import yamlsrc
    records = yamlsrc.loads((ROOT / "datasets/samples/2024.yaml").read_text(encoding="utf-8"), "x").data[:2]
    rows = [{"id": r["id"], "edition": r["edition"], **{f"{s}.{k}": v for s in ("ikm", "gates", "evidence")
                                                        for k, v in r[s].items()}} for r in records]
    numeric = [k for k, v in rows[1].items() if k.startswith("evidence.") and type(v) in (int, float)]
    rows[1].update(zip(numeric, ["1e999999999", "9" * 5000, "-1e-999999"]))
    with open(tmp / "numbers.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows({k: ("TRUE" if v is True else "FALSE" if v is False else v) for k, v in r.items()}
                         for r in rows)
    return tmp / "numbers.csv"


def _rules_with_long_condition(tmp: Path) -> Path:
    """A draft whose level condition holds a 5,000-digit number (an internal error: ValueError before)."""
    shutil.copytree(ROOT / "rules", tmp / "rules")
    text = (ROOT / "rules/2013/edition.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: A1\n")
    item = text[start:text.index("  - id: A2\n")].replace('"80 <= x < 100"', f'"{"8" * 5000} <= x < 100"')
    (tmp / "rules/2026").mkdir()
    (tmp / "rules/2026/edition.yaml").write_text('edition: "2026"\nextends: "2013"\nstatus: draft\n'
                                                 "title: {id: Draf, en: Draft}\ncriteria:\n  replace:\n"
                                                 + item.replace("\n  ", "\n    ").replace("  - id", "    - id", 1))
    return tmp / "rules"


def _file(name: str):
    return lambda tmp: HOSTILE / name


CASES = {  # name: (command, the file it reads, extra environment)
    "alias_bomb": ("evaluate", _file("alias_bomb.yaml"), None),
    "rules_alias_bomb": ("rules", _file("rules_alias_bomb"), None),
    "rules_long_condition": ("rules", _rules_with_long_condition, None),
    "exponent_yaml": ("evaluate", _file("exponent.yaml"), None),
    "exponent_json": ("evaluate", _file("exponent.json"), None),
    "exponent_publish": ("publish", _file("exponent.yaml"), None),
    "digits_yaml": ("evaluate", _file("digits.yaml"), None),
    "digits_json": ("evaluate", _file("digits.json"), None),
    "deep_json": ("evaluate", _deep_json, None),
    "deep_yaml": ("evaluate", _deep_yaml, None),
    "fifo": ("evaluate", _fifo, None),
    "dev_zero": ("evaluate", lambda tmp: Path("/dev/zero"), None),
    "too_big": ("evaluate", _too_big, {"OVOP_MAX_INPUT_BYTES": str(2 << 20)}),
    "bad_values": ("evaluate", _bad_values, None),
    "yaml_as_jsonl": ("impact", _yaml_as_jsonl, None),
    "exponent_jsonl": ("impact", _exponent_jsonl, None),
    "deep_jsonl": ("impact", _deep_jsonl, None),
    "numbers_jsonl_impact": ("impact", _numbers_jsonl, None),
    "numbers_jsonl_publish": ("publish", _numbers_jsonl, None),
    "numbers_jsonl_evaluate": ("evaluate", _numbers_jsonl, None),
    "nan_jsonl_impact": ("impact", _nan_jsonl, None),
    "fifo_impact": ("impact", lambda tmp: _fifo(tmp).rename(tmp / "fifo.jsonl"), None),
    "fifo_publish": ("publish", lambda tmp: _fifo(tmp).rename(tmp / "fifo.jsonl"), None),
    "fifo_rules": ("rules", _rules_with_fifo, None),
    "dev_zero_impact": ("impact", lambda tmp: Path("/dev/zero"), None),
    "dev_zero_verify": ("verify", lambda tmp: Path("/dev/zero"), None),
    "too_big_default": ("evaluate", lambda tmp: _sparse(tmp, "big.yaml"), None),
    "too_big_jsonl": ("publish", lambda tmp: _sparse(tmp, "big.jsonl"), None),
    "quoted_exponent": ("evaluate", _file("quoted_exponent.json"), None),
    "csv_numbers": ("evaluate", _csv_numbers, None),
    "yaml_1_1": ("evaluate", _file("yaml_1_1.yaml"), None),
    "yaml_1_1_publish": ("publish", _file("yaml_1_1.yaml"), None),
    "alias_bomb_publish": ("publish", _file("alias_bomb.yaml"), None),
    "alias_bomb_impact": ("impact", _file("alias_bomb.yaml"), None),
    "yaml_1_2_values": ("evaluate", _file("yaml_1_2_values.yaml"), None),
    "product_equals": ("evaluate", _file("product_equals.yaml"), None),
    "bom_json": ("evaluate", _file("bom.json"), None),
    "control_characters": ("evaluate", _file("control_characters.yaml"), None),
}


def _args(command: str, path: Path, tmp: Path) -> list[str]:
    if command == "rules":
        return ["rules", "check", "--rules", str(path)]
    if command == "impact":
        return ["impact", "2024", "--base", "2022", "--workers", "1", "--json", str(path)]
    if command == "verify":
        return ["verify", "--db", str(path)]
    if command == "publish":  # --lang en: these texts are the English words (Indonesian, the default: test_cli_lang.py)
        return ["publish", "--db", str(tmp / "out.db"), "--lang", "en", str(path)]
    return [command, str(path), "--lang", "en"] if command in ("evaluate", "explain") else [command, str(path)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_fails_fast_with_its_message(name, tmp_path):
    command, make, env = CASES[name]
    path = make(tmp_path)
    done = ovop(_args(command, path, tmp_path), env)
    got = f"exit {done.returncode}\n" + (done.stdout + done.stderr).replace(str(tmp_path), "{tmp}")
    expected = EXPECTED / f"{name}.txt"
    if os.environ.get("OVOP_HOSTILE_WRITE"):
        expected.parent.mkdir(exist_ok=True)
        expected.write_text(got, encoding="utf-8")
    assert "Traceback" not in got and "internal error" not in got
    assert got == expected.read_text(encoding="utf-8")
