# Sealpost — one command to run, one to test. See README.md.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATACLASS_CACHE := desktop_app/__pycache__/dataclass-methods.stamp

.PHONY: run test lint typecheck check bench bytecode package package-check clean sandbox screenshots

$(STAMP): pyproject.toml
	@scripts/system-packages.sh test
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	@$(MAKE) --no-print-directory bytecode
	@touch $(STAMP)

## Sealpost's own bytecode, written even where PYTHONDONTWRITEBYTECODE is set (an editable install has
## none): without it every `sealpost` start compiles some 100 modules again, 0.2 s of CPU (docs/benchmarks.md).
## Only what changed is compiled again; an installed package always has its bytecode.
bytecode: $(DATACLASS_CACHE)
	@$(BIN)/python -m compileall -q -j 0 desktop_app

## The dataclass methods a start would otherwise compile again (desktop_app/dataclass_cache.py): written
## when a module changed, by importing them all once. Not on $(STAMP): its own recipe makes this.
$(DATACLASS_CACHE): pyproject.toml $(shell find desktop_app -name '*.py')
	@$(BIN)/python scripts/write-dataclass-cache.py > /dev/null
	@touch $@

## The compiled translation catalogues (build products, not committed; see docs/accessibility.md).
QM := resources/i18n/sealpost_es.qm
$(QM): resources/i18n/sealpost_es.ts $(STAMP)
	@BIN=$(BIN) scripts/build-translations.sh

## Start the app (sandbox mode when no credentials are configured).
run: $(STAMP) $(QM) bytecode
	$(BIN)/sealpost $(ARGS)

## Run the whole test suite: lint, types, then pytest under a real, throwaway Secret Service keyring.
test: $(STAMP) $(QM) bytecode
	$(BIN)/ruff check desktop_app tests benchmarks scripts
	$(BIN)/ruff format --check desktop_app tests benchmarks scripts
	$(BIN)/mypy
	QT_QPA_PLATFORM=offscreen scripts/with-test-keyring.sh $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check desktop_app tests benchmarks scripts
	$(BIN)/ruff format --check desktop_app tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy

## Run the sandbox on its own (PORT=8025 by default).
sandbox: $(STAMP)
	$(BIN)/python -m desktop_app.sandbox --port $${PORT:-8025}

bench: $(STAMP) bytecode
	QT_QPA_PLATFORM=offscreen scripts/with-test-keyring.sh $(BIN)/python -m benchmarks

## Build the PyInstaller bundle and wrap it in dist/sealpost_<version>_<arch>.deb (see docs/install.md).
package: $(STAMP)
	PYTHON=$(BIN)/python packaging/build-deb.sh

## Build the .deb, then install it, self-test it offscreen and under Xvfb, and remove it (needs root or sudo).
package-check: package
	PYTHON=$(BIN)/python packaging/smoke-test.sh

screenshots: $(STAMP) $(QM)
	scripts/with-test-keyring.sh xvfb-run -a -s "-screen 0 1280x800x24" $(BIN)/python scripts/screenshots.py docs/screenshots

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
