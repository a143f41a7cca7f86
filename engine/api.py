"""The small typed API the CLI (and Datasette plugin, and tests) stand on."""
from __future__ import annotations

from pathlib import Path

from .decide import Evaluator, Outcome
from .rules import RuleSet, find_rules, load_rules

DEFAULT_RULES = None  # engine.rules.find_rules: OVOP_RULES_DIR, else rules/ found upward from the working folder


def ruleset(rules_dir: str | Path | None = DEFAULT_RULES) -> RuleSet:
    """Every edition under `rules_dir`, resolved (raises OvopError with every problem, and when a published
    edition is not what rules/editions.lock froze)."""
    return load_rules(find_rules(rules_dir))


def check_rules(rules_dir: str | Path | None = DEFAULT_RULES) -> tuple[RuleSet, Path | None]:
    """`ovop rules check`: every problem at once (OvopError); when clean, the assessment schema beside the rules
    folder (schemas/assessment.schema.json) brought in step with it: (rules, the schema file if it changed)."""
    from .inputs import sync_schema
    from .rules import check_rules as _check
    rules = _check(find_rules(rules_dir))
    return rules, sync_schema(rules)


def new_edition(rules_dir: str | Path | None, edition: str, parent: str) -> tuple[Path, Path | None]:
    """`ovop rules new`: the draft's edition.yaml (its tests.yaml beside it), and the assessment schema if it
    changed (it names every edition)."""
    from .inputs import sync_schema
    from .rules import new_edition as _new
    folder = find_rules(rules_dir)
    path = _new(folder, edition, parent)
    return path, sync_schema(load_rules(folder))


def evaluate_files(paths: list[str | Path], rules_dir: str | Path | None = DEFAULT_RULES,
                   edition: str | None = None) -> list[Outcome]:
    """Validate assessment files (all errors at once, nothing evaluated on error), then evaluate each."""
    from .inputs import load_assessments
    rs = ruleset(rules_dir)
    assessments = load_assessments([Path(p) for p in paths], rs, edition_override=edition)
    return Evaluator(rs).evaluate_all(assessments)


def explain_files(paths: list[str | Path], lang: str = "id", rules_dir: str | Path | None = DEFAULT_RULES,
                  edition: str | None = None) -> list[str]:
    """The plain-text explanation of every assessment in the files."""
    from .decide import explain
    from .inputs import load_assessments
    rs = ruleset(rules_dir)
    evaluator = Evaluator(rs)
    out = []
    for a in load_assessments([Path(p) for p in paths], rs, edition_override=edition):
        outcome = evaluator.evaluate(a)
        out.append(explain(outcome, evaluator.compiled(a.edition).edition, lang, evaluator.ahead(a, outcome)))
    return out


def run_author_tests(rules_dir: str | Path | None = DEFAULT_RULES, editions: list[str] | None = None):
    """Every rule-author test of the given editions, passed or not."""
    from .decide import authortests
    return authortests.run(ruleset(rules_dir), editions or None)


def editions_without_tests(rules_dir: str | Path | None = DEFAULT_RULES, editions: list[str] | None = None):
    """(edition, is a draft) of the given editions (default all) that have no rule-author tests."""
    from .decide import authortests
    rs = ruleset(rules_dir)
    return [(e, rs.get(e).model.status == "draft") for e in authortests.untested(rs, editions or None)]


def outcomes_json(outcomes: list[Outcome]) -> str:
    """Outcomes as a JSON array: the same bytes for the same input."""
    import json
    return json.dumps([o.to_json() for o in outcomes], ensure_ascii=False, indent=2) + "\n"


def publish(db_path: str | Path = "build/ovop.db", datasets: list[str | Path] | None = None,
            rules_dir: str | Path | None = DEFAULT_RULES, workers: int | None = None, check: int = 200,
            what_if: bool = False):
    """Evaluate every assessment under its own edition and replace the database atomically."""
    from .publish import publish as _publish
    return _publish(db_path, datasets or None, find_rules(rules_dir), workers, check, what_if)


def verify(db_path: str | Path = "build/ovop.db", rules_dir: str | Path | None = DEFAULT_RULES, sample: int | None = None):
    """Evaluate every published input (or a random sample) again with the current rules; the differences found."""
    from .publish import verify as _verify
    return _verify(db_path, find_rules(rules_dir), sample)


def serve(db_path: str | Path = "build/ovop.db", host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve the published site (any database file name) in this process until SIGTERM or Ctrl-C."""
    from .web import serve as _serve
    _serve(db_path, host, port)


def serve_command(db_path: str | Path = "build/ovop.db", host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """The `datasette serve` command of the published site (immutable, site metadata, templates, plugins)."""
    from .web import serve_command as _serve_command
    return _serve_command(db_path, host, port)
