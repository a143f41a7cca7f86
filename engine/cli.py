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
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ovop-criteria")
def cli():
    """OVOP star criteria: rule sets, evaluation, explanation, publishing."""


@cli.group()
def rules():
    """Check, test, diff and draft the rule sets."""


def main() -> None:
    cli(prog_name="ovop")


if __name__ == "__main__":
    main()
