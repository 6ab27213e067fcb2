# The two commands of the README: `make demo` and `make test`. Both install what they need first.
PY ?= python3

.PHONY: setup demo test lint agents bench

setup:
	@bash scripts/setup.sh

demo: setup
	$(PY) -m harness demo

test: setup
	$(PY) -m pytest -n 2 --dist loadfile -q

lint:
	$(PY) -m ruff check harness tests addons benchmarks

agents:
	$(PY) -m harness.instrument.build

bench: setup
	$(PY) benchmarks/record_overhead.py
	$(PY) benchmarks/analysis.py
