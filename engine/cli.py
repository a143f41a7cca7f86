"""The `ovop` command: a thin shell over engine.api. Errors print as diagnostics, never tracebacks."""
from __future__ import annotations

import functools
import sys

import click

from .errors import OvopError

def _rules_dir(ctx, param, value):
    from .rules import find_rules
    return find_rules(value)


RULES_OPTION = click.option("--rules", "rules_dir", default=None, callback=_rules_dir,
                            type=click.Path(file_okay=False),
                            help="folder of rule sets, one per edition [default: OVOP_RULES_DIR, else the rules/ "
                                 "of the nearest folder at or above this one that has rules/editions.lock]")


def friendly(func):
    """Turn OvopError into its diagnostics on stderr and exit 1."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except OvopError as exc:
            lang = kwargs.get("lang")
            if lang is None:
                click.echo(exc.render(), err=True)
            else:  # the assessment checks' words in the chosen language (engine.inputs.messages)
                from .inputs import localized
                click.echo("\n".join(d.render(lang) for d in localized(exc.diagnostics)), err=True)
            sys.exit(1)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # a bug, not bad input: still no traceback for the user
            click.echo(f"ovop: internal error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(1)
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ovop-criteria")
def cli():
    """OVOP star criteria: rule sets, evaluation, explanation, publishing."""


@cli.group()
def rules():
    """Check, test, diff and draft the rule sets."""


@rules.command("check")
@RULES_OPTION
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True,
              help="language of the messages: id (Bahasa Indonesia) or en (English)")
@friendly
def rules_check(rules_dir, lang):
    """Check everything in the rules folder in one pass: every edition (schema, coverage, totals, bands),
    the lock, commodity_map.yaml, each tests.yaml; every problem with what is allowed; exit 1 on any.
    When clean, the assessment schema is brought in step with the rule sets."""
    from . import api
    try:
        rules, schema = api.check_rules(rules_dir)
    except OvopError as exc:
        click.echo(exc.render(lang), err=True)
        sys.exit(1)
    if schema:
        click.echo(f"diperbarui / updated {schema} (skema penilaian mengikuti aturan / the assessment schema follows the rule sets)", err=True)
    for edition, res in rules.editions.items():
        state = "draft" if res.model.status == "draft" else "frozen"
        click.echo(f"{edition}  {res.hash}  {len(res.model.criteria)} criteria  {state}")


@rules.command("freeze")
@click.argument("edition")
@RULES_OPTION
@friendly
def rules_freeze(edition, rules_dir):
    """Record a published EDITION's content hash in editions.lock (drafts are never frozen)."""
    from .rules import freeze_edition, freeze_warnings
    digest, changed = freeze_edition(rules_dir, edition)
    click.echo(f"{edition} {'frozen' if changed else 'already frozen'}: {digest}")
    for warning in freeze_warnings(rules_dir, edition):
        click.echo("peringatan / warning: " + warning.render("id") + "\n" + warning.render("en"), err=True)


@rules.command("schema")
@click.option("--out", default="schemas/edition.schema.json", show_default=True, type=click.Path(dir_okay=False))
@friendly
def rules_schema(out):
    """Regenerate the JSON Schema of rule files from the models."""
    from .rules import write_edition_schema
    click.echo(f"wrote {write_edition_schema(out)}")


@rules.command("test")
@click.argument("editions", nargs=-1)
@RULES_OPTION
@friendly
def rules_test(editions, rules_dir):
    """Run the rule-author tests (rules/<edition>/tests.yaml) and say which pass.

    An edition without tests is named; that fails the run only for a published edition (a draft may
    have none yet)."""
    from . import api
    results = api.run_author_tests(rules_dir, list(editions))
    for r in results:
        click.echo(f"{'PASS' if r.passed else 'FAIL'}  {r.edition}  {r.name}  ({r.where})")
        for failure in r.failures:
            click.echo(f"      {failure}")
    missing = api.editions_without_tests(rules_dir, list(editions))
    for edition, draft in missing:
        where = f"{rules_dir}/{edition}/tests.yaml"
        click.echo(f"NONE  {edition}  belum ada uji / no tests ({where}"
                   + ("; draf, tidak menggagalkan / a draft: not a failure)" if draft else ")"))
    failed = sum(not r.passed for r in results)
    published = [e for e, draft in missing if not draft]
    summary = f"{len(results) - failed} passed, {failed} failed"
    if missing:
        summary += f", {len(missing)} without tests ({', '.join(e for e, _ in missing)})"
    click.echo(summary)
    sys.exit(1 if failed or published or not (results or missing) else 0)


@rules.command("new")
@click.argument("edition")
@click.option("--from", "parent", required=True, help="the edition the draft extends")
@RULES_OPTION
@friendly
def rules_new(edition, parent, rules_dir):
    """Start a draft EDITION that extends another and changes nothing yet."""
    from . import api
    path, schema = api.new_edition(rules_dir, edition, parent)
    click.echo(f"wrote {path} (draft extending {parent})")
    click.echo(f"wrote {path.parent / 'tests.yaml'} (to start from; run `ovop rules test {edition}`)")
    if schema:
        click.echo(f"updated {schema} (the assessment schema names edition {edition})")


@rules.command("diff")
@click.argument("before")
@click.argument("after")
@click.option("--json", "as_json", is_flag=True, help="print a JSON list of changes")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@RULES_OPTION
@friendly
def rules_diff(before, after, as_json, lang, rules_dir):
    """What changes from edition BEFORE to edition AFTER (by ids, not positions)."""
    from .rules import diff_editions, diff_json, diff_text, load_rules
    rs = load_rules(rules_dir)
    changes = diff_editions(rs.get(before).model, rs.get(after).model)
    click.echo(diff_json(changes, lang) if as_json else diff_text(changes, before, after, lang), nl=False)


EDITION_OPTION = click.option("--edition", default=None, help="evaluate under this edition instead (what-if)")
LANG_OPTION = click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True,
                           help="language of the messages: id (Bahasa Indonesia) or en (English)")


@cli.command("evaluate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@EDITION_OPTION
@click.option("--json", "as_json", is_flag=True, help="print a JSON array of outcomes with their traces")
@LANG_OPTION
@RULES_OPTION
@friendly
def evaluate(paths, edition, as_json, lang, rules_dir):
    """Evaluate assessment files (JSON or YAML; one object or a list); one outcome per assessment."""
    from . import api
    outcomes = api.evaluate_files(list(paths), rules_dir, edition)
    if as_json:
        click.echo(api.outcomes_json(outcomes), nl=False)
        return
    from .decide import outcome_line
    for o in outcomes:
        click.echo(outcome_line(o, lang))


@cli.command("impact")
@click.argument("draft")
@click.argument("datasets", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--base", required=True, help="the edition to compare the draft with")
@click.option("--json", "as_json", is_flag=True, help="print the matrix and the movers as JSON")
@click.option("--check", type=click.IntRange(min=0), default=0, show_default=True,
              help="re-evaluate a seeded sample of N assessments through durable_rules; exit 1 on any difference")
@click.option("--seed", type=int, default=0, show_default=True, help="seed of the --check sample")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="processes for .jsonl populations (default: by size)")
@click.option("--progress", is_flag=True, help="show a progress bar on stderr even when it is not a terminal")
@click.option("--publish", "publish_to", is_flag=True, help="add the result to the published database (--db)")
@click.option("--db", "db_path", default="build/ovop.db", show_default=True, type=click.Path(dir_okay=False),
              help="the published SQLite database (with --publish)")
@click.option("--assume", "assume", multiple=True, metavar="NAME=VALUE",
              help="an answer the draft asks for that no past assessment has (repeatable), e.g. sertifikasi_digital=0")
@click.option("--all", "everything", is_flag=True, help="list each assessment not re-targeted, not only the counts")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@RULES_OPTION
@friendly
def impact(draft, datasets, base, as_json, check, seed, workers, progress, publish_to, db_path, assume, everything,
           lang, rules_dir):
    """Who moves from BASE to DRAFT: evaluate the same assessments (default: datasets/) under both.

    DATASETS are assessment files; .jsonl (one assessment per line) is read in chunks, for populations."""
    from pathlib import Path

    from . import impact as imp
    from .progress import progress_bar
    from .rules import datasets_dir, load_rules
    paths = [Path(p) for p in datasets]
    if publish_to:
        imp.check_target(db_path)
    ruleset = load_rules(rules_dir)
    assumed = imp.parse_assumptions(assume, ruleset.get(draft).model)
    total = lambda: sum(imp.count_lines(p) for p in paths if p.suffix.lower() == ".jsonl" and p.is_file()) or None  # noqa: E731
    with progress_bar("impact", total, progress) as advance:
        result = imp.impact(ruleset, draft, base, paths, None if paths else imp.default_datasets(datasets_dir(rules_dir)),
                            check=check, seed=seed, workers=workers, advance=advance, assumed=assumed)
    imp.echo(result, as_json, lang, everything)
    if publish_to:
        click.echo(f"published impact run {imp.publish_impact(db_path, result, ruleset)} to {db_path}", err=as_json)


@cli.group()
def assessments():
    """Assessment files: workbook templates for assessors."""


@assessments.command("template")
@click.argument("edition")
@click.option("--xlsx", "out", required=True, type=click.Path(dir_okay=False), help="the workbook to write")
@RULES_OPTION
@friendly
def assessments_template(edition, out, rules_dir):
    """Write an empty assessment workbook for EDITION (drop-downs, range checks, a sheet of explanations)."""
    from .inputs import write_template
    from .rules import load_rules
    click.echo(f"wrote {write_template(load_rules(rules_dir), edition, out)}")


@cli.command("explain")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@LANG_OPTION
@EDITION_OPTION
@RULES_OPTION
@friendly
def explain(paths, lang, edition, rules_dir):
    """Explain each assessment's outcome in plain Indonesian or English."""
    from . import api
    click.echo("\n".join(api.explain_files(list(paths), lang, rules_dir, edition)), nl=False)


@cli.group()
def datasets():
    """Generate the synthetic sample datasets (invented firms, seeded)."""


@datasets.command("synth")
@click.option("--edition", required=True, help="edition of the sample")
@click.option("--n", "n", type=click.IntRange(min=1), default=None, help="assessments (default: the committed size)")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--out", default=None, type=click.Path(dir_okay=False),
              help="default: datasets/synthetic/EDITION.yaml; FILE.jsonl: JSON Lines, streamed (populations)")
@click.option("--progress", is_flag=True, help="show a progress bar on stderr even when it is not a terminal")
@RULES_OPTION
@friendly
def datasets_synth(edition, n, seed, out, progress, rules_dir):
    """Write a seeded synthetic sample of EDITION atomically, then print its outcomes per star."""
    from rich.console import Console
    from rich.table import Table

    from . import synth
    from .rules import load_rules
    ruleset = load_rules(rules_dir)
    ruleset.get(edition)
    n = n or synth.DEFAULT_N.get(edition, 60)
    path = out or synth.DEFAULT_DIR / f"{edition}.yaml"
    if str(path).lower().endswith(".jsonl"):
        from .progress import progress_bar
        from .synth import workers_for, write_jsonl
        with progress_bar("synth", n, progress) as advance:
            counts = write_jsonl(ruleset, edition, n, seed, path, workers_for(n), advance)
    else:
        path = synth.write_edition(ruleset, edition, n, seed, path)
        counts = synth.outcome_counts(ruleset, path)
    table = Table(title=f"edition {edition}, seed {seed}")
    table.add_column("outcome")
    table.add_column("count", justify="right")
    for outcome, count in counts.items():
        table.add_row(outcome, str(count))
    Console().print(table)
    click.echo(f"wrote {n} synthetic assessments to {path}")


DB_OPTION = click.option("--db", "db_path", default="build/ovop.db", show_default=True,
                         type=click.Path(dir_okay=False), help="the published SQLite database")


@cli.command()
@DB_OPTION
@RULES_OPTION
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="proses pekerja untuk berkas besar (0: satu proses) / worker processes for large files (0: one "
                   "process)  [default: OVOP_PUBLISH_WORKERS, else 2 on a machine with 2 cores or more]")
@click.option("--check", "check", type=click.IntRange(min=0), default=200, show_default=True,
              help="re-evaluate this many random assessments through durable_rules; any difference fails the publish")
@click.option("--what-if", "what_if", is_flag=True, help="also evaluate every assessment under every other edition")
@click.argument("datasets", nargs=-1, type=click.Path())
@LANG_OPTION
@friendly
def publish(db_path, rules_dir, workers, check, what_if, datasets, lang):
    """Evaluate every assessment in DATASETS (default: all under datasets/) and write one database atomically."""
    from . import api
    from .rules import datasets_dir
    report = api.publish(db_path, list(datasets) or [datasets_dir(rules_dir)], rules_dir, workers, check=check,
                         what_if=what_if)
    from rich.console import Console
    from rich.table import Table
    table = Table(title=f"{report.db_path}: {report.assessments} outcomes, {report.trace_steps} trace steps")
    for name in ("edition", "outcomes", "awarded", "not awarded", "ineligible", "stars"):
        table.add_column(name, justify="left" if name in ("edition", "stars") else "right")
    for row in report.rows():
        table.add_row(*map(str, row))
    Console().print(table)
    if what_if:
        click.echo(f"what-if: {report.what_if} outcomes under other editions, {report.what_if_missing} not evaluable "
                   f"(see what_if_missing)")
    click.echo(f"published {len(report.files)} files in {report.seconds:.1f} s; {report.checked} checked against durable_rules")


@cli.command()
@DB_OPTION
@RULES_OPTION
@click.option("--sample", type=click.IntRange(min=1), default=None, help="check this many random outcomes (large databases)")
@friendly
def verify(db_path, rules_dir, sample):
    """Evaluate every published input again with the current rules; exit 1 if any outcome differs."""
    from . import api
    report = api.verify(db_path, rules_dir, sample)
    for line in report.lines():
        click.echo(line)
    click.echo(f"verified {report.checked} outcomes: "
               + ("all match" if report.ok else f"{len(report.differences)} differences, "
                  f"{len(report.rules_changed)} editions with changed rules"), err=not report.ok)
    sys.exit(0 if report.ok else 1)


@cli.command()
@DB_OPTION
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@friendly
def serve(db_path, port, host):
    """Serve the published database (any file name) with Datasette, read-only, with the site's pages.

    The server runs in this process: SIGTERM or Ctrl-C stops it whole."""
    from . import api
    api.serve(db_path, host, port)


@cli.group()
def users():
    """Accounts of the site's workbench (stored in the workspace database beside the published one)."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["editor", "assessor"]), required=True)
@DB_OPTION
@click.option("--password-stdin", is_flag=True, help="read the password from stdin instead of asking")
@friendly
def users_add(name, role, db_path, password_stdin):
    """Create an account; the password is hashed (argon2id) and never stored as text."""
    from .web import accounts
    password = (sys.stdin.readline().rstrip("\n") if password_stdin
                else click.prompt("password / kata sandi", hide_input=True, confirmation_prompt=True))
    ws = accounts.workspace_for(db_path)
    accounts.add_user(ws, name, role, password)
    click.echo(f"user {name} ({role}) added to {ws}")


@users.command("list")
@DB_OPTION
@friendly
def users_list(db_path):
    """The accounts and their roles."""
    from .web import accounts
    for u in accounts.list_users(accounts.workspace_for(db_path)):
        click.echo(f"{u['name']}\t{u['role']}")


def main() -> None:
    try:
        cli(prog_name="ovop")
    finally:
        # The command is done: what is left is the interpreter's exit, whose garbage collector passes over every
        # object still alive (pydantic's schemas, numpy, the run's results) took 40-80 ms of a 0.8 s impact run.
        # Frozen objects are left out of those passes; they are freed as always, files flushed and closed.
        import gc
        gc.freeze()


if __name__ == "__main__":
    main()
