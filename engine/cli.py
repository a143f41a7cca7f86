"""The `ovop` command: a thin shell over engine.api. Errors print as diagnostics, never tracebacks."""
from __future__ import annotations

import functools
import sys

import click

from .errors import OvopError

RULES_OPTION = click.option("--rules", "rules_dir", default="rules", show_default=True,
                            type=click.Path(file_okay=False), help="folder of rule sets, one per edition")


def friendly(func):
    """Turn OvopError into its diagnostics on stderr and exit 1."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except OvopError as exc:
            click.echo(exc.render(), err=True)
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
@friendly
def rules_check(rules_dir):
    """Load, resolve and check every edition (coverage, totals, bands, lock); exit 1 on any problem."""
    from . import ruleops
    for edition, res in ruleops.check_rules(rules_dir).editions.items():
        state = "draft" if res.model.status == "draft" else "frozen"
        click.echo(f"{edition}  {res.hash}  {len(res.model.criteria)} criteria  {state}")


@rules.command("freeze")
@click.argument("edition")
@RULES_OPTION
@friendly
def rules_freeze(edition, rules_dir):
    """Record a published EDITION's content hash in editions.lock (drafts are never frozen)."""
    from . import ruleops
    digest, changed = ruleops.freeze_edition(rules_dir, edition)
    click.echo(f"{edition} {'frozen' if changed else 'already frozen'}: {digest}")


@rules.command("schema")
@click.option("--out", default="schemas/edition.schema.json", show_default=True, type=click.Path(dir_okay=False))
@friendly
def rules_schema(out):
    """Regenerate the JSON Schema of rule files from the models."""
    from . import ruleops
    click.echo(f"wrote {ruleops.write_edition_schema(out)}")


def main() -> None:
    cli(prog_name="ovop")


if __name__ == "__main__":
    main()
