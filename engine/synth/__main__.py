"""python -m engine.synth --all: rewrite datasets/synthetic/<edition>.yaml for every edition."""
from .generate import main

main()
