# The two commands a new machine needs: `make serve` (main job) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= build/ovop.db
PORT ?= 8001

.PHONY: setup serve publish check test test-fast datasets bench clean

$(STAMP): pyproject.toml
	bash .ci/setup-venv "$(PYTHON)" "$(VENV)"
	touch $(STAMP)

setup: $(STAMP)

check: $(STAMP)
	$(BIN)/ovop rules check
	$(BIN)/ovop rules test

publish: check
	$(BIN)/ovop publish --what-if --db $(DB)

serve: publish
	$(BIN)/ovop serve --db $(DB) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not browser" -x

datasets: $(STAMP)
	$(BIN)/python -m engine.synth --all

bench: $(STAMP)
	$(BIN)/python bench/bench_engine.py

clean:
	rm -rf build .pytest_cache .hypothesis
