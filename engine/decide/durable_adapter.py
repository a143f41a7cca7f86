"""The only module that imports durable_rules. Its known limits are handled here, as tested behaviour.

We drive its C Rete engine (`durable_rules_engine`) directly, not through `durable.engine.Host`:
- no Host, so no timer threads that can steal a pending action (with them about 1 in 1,000
  evaluations comes back empty);
- actions are not Python callables inside the engine, so nothing can be swallowed into the session
  state: every fired rule comes back to the caller as a message, and engine errors raise;
- each session's state is deleted after use: the engine allows 1,024 live sessions per ruleset;
- after a MemoryError the ruleset is damaged: it is rebuilt under a new name, never reused;
- its JSON parser refuses exponent notation (1e-05): numbers are written as exact decimals;
- it hangs, holding the GIL, on a node with more than 512 distinct tests, and a fact has at most
  255 properties: such rule sets are refused before they reach it.
"""
from __future__ import annotations

import itertools
import json
import re
from fractions import Fraction
from typing import Any, Iterable

import durable_rules_engine as _engine

from ..rules import fmt

MAX_SESSIONS = 1024
MAX_DISTINCT_TESTS = 512
MAX_PROPERTIES = 255
MAX_SIGNIFICANT_DIGITS = 15
_names = itertools.count(1)
_NUM = "\x00num:"
_NUM_RE = re.compile(r'"\\u0000num:([^"]*)"')


class EngineError(Exception):
    """durable_rules refused or failed; the message says what."""


class _Rebuilt(Exception):
    """The engine raised MemoryError; the rule set was rebuilt and the session must run again."""


class Num(str):
    """A number written into rule-set JSON as an exact decimal (never exponent notation)."""

    def __new__(cls, value: Fraction | int):
        return super().__new__(cls, _NUM + decimal_text(value))


def decimal_text(value: Fraction | int) -> str:
    """Exact decimal text the engine parses to the same order: at most 15 significant digits."""
    if isinstance(value, int) or value.denominator == 1:
        text = str(int(value))
        if len(text.lstrip("-").rstrip("0")) > MAX_SIGNIFICANT_DIGITS:
            raise EngineError(f"{text} has more than {MAX_SIGNIFICANT_DIGITS} significant digits; "
                              "the engine compares doubles and could not decide it exactly")
        return text
    text = fmt(value)
    if Fraction(text) != value:
        raise EngineError(f"{float(value)!r} is not a terminating decimal; the engine cannot compare it exactly")
    digits = text.lstrip("-").replace(".", "").strip("0")
    if len(digits) > MAX_SIGNIFICANT_DIGITS:
        raise EngineError(f"{text} has more than {MAX_SIGNIFICANT_DIGITS} significant digits; "
                          "the engine compares doubles and could not decide it exactly")
    return text


def to_json(data: Any) -> str:
    """JSON for the engine: Fractions and Num as plain decimals."""
    def default(o):
        if isinstance(o, Fraction):
            return _NUM + decimal_text(o)
        raise TypeError(type(o).__name__)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=default)
    return _NUM_RE.sub(lambda m: m.group(1), text)


def check_limits(definition: dict) -> list[str]:
    """What in a rule-set definition is past the engine's limits (empty when it is fine)."""
    problems, tests, props = [], {}, set()
    for name, rule in definition.items():
        pri = rule.get("pri", 0)
        if not 0 <= pri <= 65535:
            problems.append(f"rule {name}: priority {pri} is outside 0..65535")
        for test in _tests(rule.get("all", [])):
            props.add(test[0])
            tests.setdefault(test[0], set()).add(test)
    for prop, distinct in tests.items():
        if len(distinct) > MAX_DISTINCT_TESTS:
            problems.append(f"property {prop}: {len(distinct)} distinct tests (the engine hangs past {MAX_DISTINCT_TESTS})")
    if len(props) > MAX_PROPERTIES:
        problems.append(f"{len(props)} fact properties (the engine allows {MAX_PROPERTIES})")
    return problems


def _tests(node: Any) -> Iterable[tuple]:
    if isinstance(node, list):
        for n in node:
            yield from _tests(n)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in ("$and", "$or") or (len(key) == 1 and isinstance(value, dict)) or key in ("m",):
                yield from _tests(value)
            elif key.startswith("$") and isinstance(value, dict):
                for prop, v in value.items():
                    yield (prop, key, str(v))
            elif not key.startswith("$"):
                yield (key, "$eq", str(value))


class DurableRuleset:
    """One compiled rule set in the engine. `run(sid, fact)` returns the names of the rules that fired."""

    def __init__(self, label: str, definition: dict):
        problems = check_limits(definition)
        if problems:
            raise EngineError(f"rule set {label} is past the engine's limits: " + "; ".join(problems))
        self.label = label
        self._json = to_json(definition)
        self._handle = None
        self.rebuilds = 0
        self._build()

    def _build(self) -> None:
        name = f"ovop_{self.label}_{next(_names)}"
        try:
            self._handle = _engine.create_ruleset(name, self._json)
        except _engine.error as exc:
            raise EngineError(f"rule set {self.label} refused by the engine: {exc}") from None

    def assert_fact(self, fact: dict) -> list[str]:
        """Assert one fact in its session (fact['sid']) and collect, in firing order, every rule fired."""
        try:
            code, state = _engine.assert_fact(self._handle, to_json(fact))
        except MemoryError:
            self._rebuild()
            raise _Rebuilt() from None
        except _engine.error as exc:
            raise EngineError(f"rule set {self.label}: the engine refused a fact: {exc}") from None
        fired = []
        result = _engine.start_action_for_state(self._handle, state) if code == 0 else None
        message = result[1] if result else None
        while message:
            fired.append(message[2:message.index('"', 2)])  # {"<rule>": {...}}: rule names hold no quotes
            message = _engine.complete_and_start_action(self._handle, state)
        return fired

    def run(self, sid: str, facts: list[dict]) -> list[list[str]]:
        """Assert facts in one session, in order; the session's state is always deleted afterwards.

        A MemoryError (too many live sessions) rebuilds the rule set and runs the session once more.
        """
        for attempt in (1, 2):
            try:
                return [self.assert_fact({**fact, "sid": sid}) for fact in facts]
            except _Rebuilt:
                if attempt == 2:
                    raise EngineError(f"rule set {self.label}: the engine ran out of sessions twice") from None
            finally:
                self.delete(sid)
        raise AssertionError("unreachable")

    def delete(self, sid: str) -> None:
        try:
            _engine.delete_state(self._handle, sid)
        except _engine.error:
            pass  # a session that never started has no state

    def _rebuild(self) -> None:
        self.rebuilds += 1
        self._build()
