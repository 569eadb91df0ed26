# Two commands set up everything on a fresh machine:
#   make run    creates .venv, installs vti-sim (and the workshop page's browser files), runs Angers end to end
#   make test   the same install with the test tools, then ruff and the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install assets run test lint bench results clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP) assets

# the workshop page's browser files, from the npm registry into Solara's cache (about a second when cached)
assets: $(STAMP)
	@bash scripts/fetch_solara_assets.sh $(BIN)/python \
	  || echo "warning: Solara's browser files are not cached; vti-sim workshop will say how to fetch them"

run: install
	$(BIN)/vti-sim run angers --seed 1 --out results/angers

test: install
	$(BIN)/ruff check vti_sim tests benchmarks docs
	$(BIN)/python -m pytest -q -n 2  # two workers: the suite takes about 10 minutes on a 2-core machine

lint: $(STAMP)
	$(BIN)/ruff check vti_sim tests benchmarks docs

bench: install
	$(BIN)/python benchmarks/bench_model.py
	$(BIN)/python benchmarks/bench_sweep.py
	$(BIN)/python benchmarks/bench_app.py

results: install  # sensitivity (~22 min on 2 cores), discovery and plateau reports (resumable)
	PYTHON=$(BIN)/python scripts/make_results.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
