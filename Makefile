# Two commands set up everything on a fresh machine:
#   make run    creates .venv, installs vti-sim, runs the Angers scenario end to end with figures
#   make test   creates .venv, installs vti-sim with its test tools, runs the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench results clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/vti-sim run angers --seed 1 --out results/angers

test: $(STAMP)
	$(BIN)/ruff check vti_sim tests benchmarks docs
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check vti_sim tests benchmarks docs

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_model.py
	$(BIN)/python benchmarks/bench_sweep.py

results: $(STAMP)  # sensitivity, discovery and plateau reports (~35 min on 2 cores; resumable)
	PYTHON=$(BIN)/python scripts/make_results.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
