# The two commands of the README: `make demo` and `make test`. Both install what they need first,
# into the project virtual environment .venv (VENV=DIR to choose another).
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test lint agents bench

setup:
	@VENV=$(VENV) bash scripts/setup.sh

demo: setup
	$(PY) -m harness demo

test: setup
	$(PY) -m pytest -n 2 --dist loadfile --no-loadscope-reorder -q

lint:
	$(PY) -m ruff check harness tests addons benchmarks

agents:
	$(PY) -m harness.instrument.build

bench: setup
	$(PY) benchmarks/record_overhead.py
	$(PY) benchmarks/analysis.py
