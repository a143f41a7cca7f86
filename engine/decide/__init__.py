"""Decide: one assessment decided and explained.

compile (an edition into durable_rules rulesets) → durable_adapter (the only import of durable_rules)
→ evaluate (Evaluator) → outcome (Outcome, its trace) → explain, whatittakes; authortests runs
rules/<edition>/tests.yaml, whatiftests rules/what_if_tests.yaml.
"""
from . import authortests, whatiftests
from .compile import Compiled, compile_edition
from .evaluate import Evaluator
from .explain import explain
from .outcome import Outcome, number, provenance

__all__ = ["authortests", "whatiftests", "Compiled", "compile_edition", "Evaluator", "explain", "Outcome", "number",
           "provenance"]
