# mockclaude: every target installs what it needs first, so each works alone on a fresh clone.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
TS_DIR := tests/ts
TS_STAMP := $(TS_DIR)/node_modules/.installed-stamp
ARGS   ?=

.PHONY: install serve test lint bench clean ts-deps

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install mockclaude (editable) with the test extras

# The TypeScript SDK check needs Node and npm; without them that test is skipped, not failed.
$(TS_STAMP): $(TS_DIR)/package.json
	@if command -v npm >/dev/null 2>&1; then \
		cd $(TS_DIR) && npm install --no-audit --no-fund --loglevel=error && touch node_modules/.installed-stamp; \
	else echo "npm not found: the TypeScript SDK test will be skipped"; fi

ts-deps: $(TS_STAMP)

serve: $(STAMP) ## run the mock on 127.0.0.1:8080 (make serve ARGS="--port 9000 --seed 7")
	$(VENV)/bin/mockclaude serve $(ARGS)

test: $(STAMP) ts-deps ## run the whole test suite
	$(PY) -m pytest -q -n 2 $(ARGS)

lint: $(STAMP) ## ruff + mypy (strict)
	$(VENV)/bin/ruff check mockclaude tests tools
	$(VENV)/bin/ruff format --check mockclaude tests tools
	$(VENV)/bin/mypy

bench: $(STAMP) ## throughput and latency benchmarks, as ratios against a bare aiohttp handler
	$(PY) -m tools.bench $(ARGS)

clean:
	rm -rf $(VENV) $(TS_DIR)/node_modules .mypy_cache .ruff_cache
