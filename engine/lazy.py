"""A package's names taken from its modules when first used (PEP 562 `__getattr__`): each command imports the
modules it uses, not every module its packages name (`ovop impact` never runs the authors' tests or diffs)."""
from __future__ import annotations

import sys
from importlib import import_module
from typing import Any, Callable


def lazily(package: str, names: dict[str, tuple[str, str | None]]) -> Callable[[str], Any]:
    """The `__getattr__` of `package`: name -> (its module, the name there; None: the module itself)."""
    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attr = names[name]
        found = import_module(f".{module}", package)
        value = found if attr is None else getattr(found, attr)
        setattr(sys.modules[package], name, value)
        return value
    return __getattr__
