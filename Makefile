# Assay: `make run` starts the app with the sandbox and demo data; `make test` runs every test.
# Both install what they need into .venv and .tools, and are fast the second time.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BUN := .tools/node_modules/.bin/bun
AXE := .tools/node_modules/axe-core/axe.min.js
export REFLEX_BUN_PATH := $(CURDIR)/$(BUN)

.PHONY: run test lint format setup browser clean

run: setup
	bash scripts/run.sh

test: setup browser
	bash scripts/test.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

setup: $(VENV)/.installed $(BUN) $(AXE)

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(BUN):
	npm install --silent --no-audit --no-fund --prefix .tools bun@1.4.5

# axe-core, the accessibility rules the browser tests check every page against.
$(AXE): | $(BUN)
	npm install --silent --no-audit --no-fund --prefix .tools axe-core@4.14.1

# Debian's headless Chromium for the browser tests (Playwright cannot download its own here).
browser:
	@test -x /usr/lib/chromium/chromium-headless-shell || { apt-get update -qq && apt-get install -y -qq chromium-headless-shell >/dev/null; }

clean:
	rm -rf .web .web-tests* .states .assay artifacts
