# mockclaude: every target installs what it needs first, from the lock, so each works alone on a fresh clone.
#
#   uv.lock                   every Python dependency (run time, test, lint) pinned with hashes; `make lock` renews it
#   tools/uv-requirements.txt the pinned uv itself, installed by pip with --require-hashes into .tools/
#   tests/ts/package-lock.json the TypeScript SDK check's packages (npm ci)
#   tests/cc/package-lock.json Claude Code, for the unscripted agent tests (npm ci)
#
# `make serve` syncs .venv-serve with the run-time dependencies only; `make test`, `make lint` and `make bench` sync
# .venv with the test and lint groups too. Neither touches the other, so a server never carries the test toolchain.
PYTHON ?= python3
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
VENV   := .venv
PY     := $(VENV)/bin/python
SERVE_VENV := .venv-serve
TS_DIR := tests/ts
TS_STAMP := $(TS_DIR)/node_modules/.installed-stamp
CC_DIR := tests/cc
CC_STAMP := $(CC_DIR)/node_modules/.installed-stamp
ARGS   ?=

# uv uses this machine's Python and never downloads one; every sync reads the lock as it is (--frozen), and fails
# rather than resolve anew when pyproject.toml and uv.lock disagree; `make lint` checks they agree.
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_NO_PROGRESS := 1
SYNC := $(UV) sync --frozen --quiet

.PHONY: install serve serve-env test lint bench fuzz soak lock compat drift sdk-tests clean ts-deps cc-deps

$(UV): tools/uv-requirements.txt
	@test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
		--only-binary :all: -r tools/uv-requirements.txt
	@touch $(UV)

install: $(UV) ## create .venv from uv.lock: mockclaude (editable) with the test and lint groups
	$(SYNC)

serve-env: $(UV) ## create .venv-serve from uv.lock: mockclaude and its run-time dependencies only
	UV_PROJECT_ENVIRONMENT=$(SERVE_VENV) $(SYNC) --no-default-groups

# The TypeScript SDK check needs Node and npm; without them that test is skipped, not failed.
$(TS_STAMP): $(TS_DIR)/package.json $(TS_DIR)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd $(TS_DIR) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed-stamp; \
	else echo "npm not found: the TypeScript SDK test will be skipped"; fi

ts-deps: $(TS_STAMP)

# Claude Code (npm; its native binary comes as an optional npm dependency), for the unscripted agent tests.
$(CC_STAMP): $(CC_DIR)/package.json $(CC_DIR)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd $(CC_DIR) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed-stamp; \
	else echo "npm not found: the Claude Code tests will be skipped"; fi

cc-deps: $(CC_STAMP)

serve: serve-env ## run the mock on 127.0.0.1:8080 (make serve ARGS="--port 9000 --seed 7")
	$(SERVE_VENV)/bin/mockclaude serve $(ARGS)

test: install ts-deps cc-deps ## run the whole test suite
	$(PY) -m pytest -q -n 2 $(ARGS)

lint: install ## ruff + mypy (strict), and the lock agrees with pyproject.toml
	$(UV) lock --check --quiet
	$(VENV)/bin/ruff check mockclaude tests tools
	$(VENV)/bin/ruff format --check mockclaude tests tools
	$(VENV)/bin/mypy

bench: install ## throughput and latency benchmarks, as ratios against a bare aiohttp handler
	@command -v wrk >/dev/null 2>&1 || { echo "installing wrk (Debian's package) for the load"; \
		apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	$(PY) -m tools.bench $(ARGS)

fuzz: install ## hostile requests over every route of a served mock (make fuzz ARGS="--requests 100000"), with a report
	$(PY) -m tools.fuzz $(ARGS)

soak: install ## unique requests for 10 minutes under wrk: RSS flat, p99 <= 3x median, no errors (make soak ARGS="--duration 600")
	$(PY) -m tools.soak $(ARGS)

lock: $(UV) ## re-resolve every dependency to the newest release the ranges allow, then re-run make test
	$(UV) lock --upgrade
	@# a full install, not --package-lock-only: only downloaded packages get their integrity hashes in the lock
	for dir in $(TS_DIR) $(CC_DIR); do \
		(cd $$dir && rm -rf node_modules package-lock.json && npm install --no-audit --no-fund --loglevel=error \
			&& touch node_modules/.installed-stamp) || exit 1; \
	done

compat: $(UV) ## the newest release of every client the README names, each in its own environment, against a served mock
	$(SYNC)
	$(PY) -m tools.compat $(ARGS)

drift: $(UV) ## what the newest anthropic SDK knows that the mock does not (ARGS="--locked", "--full", "--json")
	$(SYNC)
	$(PY) -m tools.drift $(ARGS)

sdk-tests: $(UV) ## the newest anthropic SDK's own tests/api_resources (Messages, Batches, Models, Files, Skills) against a served mock
	$(SYNC)
	$(PY) -m tools.drift.sdk_tests $(ARGS)

clean:
	rm -rf $(VENV) $(SERVE_VENV) $(TOOLS) $(TS_DIR)/node_modules $(CC_DIR)/node_modules .mypy_cache .ruff_cache .compat
