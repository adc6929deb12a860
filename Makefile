# resupply: `make demo` and `make test` set everything up on a machine with python3 and make.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: setup demo test lint bench docs clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(PY) -c 'from resupply.simulation.fused import warm; warm()'  # Numba kernel into its disk cache
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(VENV)/bin/resupply demo --out demo-run

test: lint
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check src tests $(wildcard benchmarks)
	$(VENV)/bin/mypy

$(VENV)/.bench-stamp: $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	touch $@

bench: $(VENV)/.bench-stamp
	$(PY) benchmarks/plan_bench.py --size small --tools resupply,resupply-simplex,resupply-ipm,resupply-multires,resupply-multires:28:14,linopy,pyomo,pulp --out benchmarks/results/plan-small.json
	$(PY) benchmarks/plan_bench.py --size medium --tools resupply,resupply-ipm,resupply-multires,resupply-multires:28:14,linopy,pyomo,pulp --out benchmarks/results/plan-medium.json
	$(PY) benchmarks/plan_bench.py --size small-hubs --tools resupply,resupply-simplex,resupply-ipm,resupply-multires,linopy,pyomo,pulp --out benchmarks/results/plan-small-hubs.json
	$(PY) benchmarks/plan_bench.py --size medium-hubs --load-only --tools resupply,linopy,pyomo,pulp --out benchmarks/results/plan-load-medium-hubs.json
	$(PY) benchmarks/plan_bench.py --size medium-hubs --tools resupply,resupply-multires,linopy,pyomo,pulp --out benchmarks/results/plan-medium-hubs.json
	$(PY) benchmarks/plan_bench.py --size large --tools resupply-multires:28:14 --out benchmarks/results/plan-large.json
	$(PY) benchmarks/replan_bench.py --case ukraine-2022 --from-day 30 --out benchmarks/results/replan-ukraine-2022.json
	$(PY) benchmarks/sim_bench.py --out benchmarks/results/sim.json
	$(PY) benchmarks/ledger_bench.py --out benchmarks/results/ledger-100k.json
	$(PY) benchmarks/certify_bench.py --case ukraine-2022 --risk 0.05 --levels 0.05,0.1,0.2 --out benchmarks/results/certify-ukraine-2022.json
	$(PY) benchmarks/sweep_bench.py --out benchmarks/results/sweep.json

docs: setup
	$(PY) -m resupply.domain.jsonschema > docs/scenario.md
	$(PY) -m resupply.cli.docs > docs/cli.md

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
