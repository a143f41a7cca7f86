# The two commands a new machine needs: `make serve` (main job) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := $(VENV)/node/.installed
DB ?= build/ovop.db
PORT ?= 8001

.PHONY: setup serve publish check test test-fast datasets bench clean

$(STAMP): pyproject.toml
	bash .ci/setup-venv "$(PYTHON)" "$(VENV)"
	touch $(STAMP)

# The YAML language server editors run, for the test that drives it (skipped, with the reason, without npm).
$(NODE_STAMP): .ci/setup-node | $(STAMP)
	bash .ci/setup-node "$(VENV)/node"

setup: $(STAMP) $(NODE_STAMP)

check: $(STAMP)
	$(BIN)/ovop rules check
	$(BIN)/ovop rules test

publish: check
	$(BIN)/ovop publish --what-if --db $(DB)

serve: publish
	$(BIN)/ovop serve --db $(DB) --port $(PORT)

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not browser" -x

datasets: $(STAMP)
	$(BIN)/python -m engine.synth --all

bench: $(STAMP)
	$(BIN)/python bench/bench_engine.py

clean:
	rm -rf build .pytest_cache .hypothesis
