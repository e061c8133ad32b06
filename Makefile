# One-line entry points. `make quickstart` runs the main job, `make test` runs the tests.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install quickstart test lint

$(BIN)/toolgym: pyproject.toml constraints/cpu.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints/cpu.txt -e ".[dev]"
	touch $@

install: $(BIN)/toolgym

quickstart: install
	$(BIN)/toolgym run recipes/quickstart.yaml

test: install
	$(BIN)/python -m pytest -m "not slow" -q

lint: install
	$(BIN)/ruff check src tests benchmarks
