"""Where the rules folder is, so that `ovop …` works from any folder inside the checkout.

In order: `--rules` when given; OVOP_RULES_DIR (OVOP_RULES, its older name, still read); the nearest
folder at or above the working directory that holds rules/editions.lock (or rules/<edition>/edition.yaml);
the rules/ of the checkout this package runs from. The first that applies is used, even when it does not
exist (then loading it says "no such rules folder" with this order as what is allowed).
"""
from __future__ import annotations

import os
from pathlib import Path

from .frozen import LOCK_FILE

RULES = "rules"
ENV = ("OVOP_RULES_DIR", "OVOP_RULES")
PACKAGE_ROOT = Path(__file__).resolve().parents[2]
HOW = ("--rules FOLDER, or OVOP_RULES_DIR, or run inside a checkout (a folder above holds rules/editions.lock)")


def _holds_rules(folder: Path) -> bool:
    rules = folder / RULES
    return (rules / LOCK_FILE).is_file() or any(rules.glob("*/edition.yaml"))


def find_root(start: str | Path | None = None) -> Path | None:
    """The nearest folder at or above `start` (default: the working directory) holding a rules folder."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if _holds_rules(folder):
            return folder
    return None


def find_rules(explicit: str | Path | None = None, start: str | Path | None = None) -> Path:
    """The rules folder to use (see the module's docstring); relative to the working directory when it is
    at or below it, so that diagnostics name files as `rules/2024/edition.yaml`."""
    if explicit:
        return Path(explicit)
    for name in ENV:
        if os.environ.get(name):
            return Path(os.environ[name])
    root = find_root(start)
    if root is None:
        root = PACKAGE_ROOT if _holds_rules(PACKAGE_ROOT) else None
    if root is None:
        return Path(RULES)
    return _short(root / RULES)


def _short(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd().resolve())
    except ValueError:
        return Path(os.path.relpath(path)) if _near(path) else path


def _near(path: Path) -> bool:
    """Whether `path` is in a folder above the working directory (then ../../rules is shorter to read)."""
    try:
        Path.cwd().resolve().relative_to(path.parent)
        return True
    except ValueError:
        return False


def datasets_dir(rules_dir: str | Path) -> Path:
    """datasets/ of the working directory when there is one, else the one beside the rules folder."""
    here = Path("datasets")
    if here.is_dir():
        return here
    beside = Path(rules_dir).parent / "datasets"
    return beside if beside.is_dir() else here
