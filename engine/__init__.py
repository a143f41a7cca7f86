"""OVOP star criteria engine: declarative rule sets, explainable evaluation, Datasette publishing."""

__version__ = "0.1.0"
