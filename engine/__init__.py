"""OVOP star criteria engine: declarative rule sets, explainable evaluation, Datasette publishing."""
import os

__version__ = "0.1.0"

# pydantic looks for plugins (entry points of every installed distribution) when it builds its first model: about
# 0.08 s of every command's start, for plugins the engine does not use. PYDANTIC_DISABLE_PLUGINS set to another
# value (for instance 0) lets them load.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
