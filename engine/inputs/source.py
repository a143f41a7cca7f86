"""One assessment file as read: its data, key positions and the written text of every decimal."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..rules import exact, yamlsrc


@dataclass
class Source:
    """One file: its data, the position of every key, and the written text of every decimal number."""
    located: yamlsrc.Located
    texts: dict[tuple, str] = field(default_factory=dict)

    @property
    def file(self) -> str:
        return self.located.file

    def exact(self, path: tuple, value: Any) -> Fraction | None:
        """The exact value of the number at `path`, from its written text where there is one."""
        text = self.texts.get(tuple(path))
        if text is not None:
            try:
                return Fraction(text.replace("_", ""))
            except (ValueError, ZeroDivisionError):
                return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None  # text is not a number (and Fraction("1e999999999") would never end)
        try:
            return exact(value)
        except (TypeError, ValueError):
            return None

    def written(self, path: tuple, value: Any) -> str:
        """The value as the assessor wrote it, for messages."""
        text = self.texts.get(tuple(path))
        if text is not None:
            return text
        if isinstance(value, bool):
            return "true" if value else "false"
        if value is None:
            return "null"
        if isinstance(value, float) and not math.isfinite(value):
            return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        if isinstance(value, (int, float)):
            return repr(value)
        return json.dumps(value, ensure_ascii=False, default=str)[:60]
