# The verbs: install, build, validate, serve, test, bench.
# `make serve` and `make test` work from a fresh clone: each sets up what it needs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8001
DB := data/provenance.db
VENDOR := static/vendor/vega-embed.js
SEEDS := $(shell find seeds -type f) $(shell find build -name "*.py" -o -name "*.yml") metadata.yml

.PHONY: install install-extract build check validate serve test test-fast lint bench image clean draft evaluate release

install: $(VENV)/.installed

# The extractor's models (the `extract` extra: spaCy's small English pipeline, MiniLM
# embeddings on onnxruntime, about 430 MB), which drafting, scoring and the tests need
# and serving does not.
install-extract: $(VENV)/.extract

$(VENV)/.extract: $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test,extract]'
	touch $@

# What building and serving need, and nothing else (no test tools, no extractor models).
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e .
	touch $@

build: $(DB) $(VENDOR)

$(DB): $(VENV)/.installed $(SEEDS)
	$(BIN)/provenance build

# Vega, Vega-Lite and Vega-Embed in one file, served by the instance (generated, not committed).
$(VENDOR): build/site/vendor.py $(VENV)/.installed
	$(BIN)/provenance vendor

check: install
	$(BIN)/provenance check

validate: build
	$(BIN)/frictionless validate data/datapackage.json
	$(BIN)/frictionless validate data/datapackage-text-free.json

serve: build
	$(BIN)/provenance serve --host $(HOST) --port $(PORT)

# The whole suite on every core (pytest-xdist; a test file stays on one worker, so its
# module fixtures are made once). Chromium first: installed when missing and this is root
# with apt-get, else `make test` stops saying what to install (tests/chromium.py).
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
PYTEST := $(BIN)/pytest -n auto --dist loadfile
# The project's bytecode, written once: where PYTHONDONTWRITEBYTECODE is set (as on the CI
# machines) each of the hundreds of processes the tests start would compile them again.
COMPILE := $(BIN)/python -m compileall -q build plugins

test: build $(VENV)/.extract
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python tests/chromium.py
	$(COMPILE)
	$(PYTEST)

# ruff's lint and its formatting check, as `make test` runs them.
lint: $(VENV)/.extract
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The edit loop: everything but the browser, load, benchmark and slow tests.
test-fast: build $(VENV)/.extract
	$(COMPILE)
	$(PYTEST) -m "not (browser or load or bench or slow)"

# Release the data (checks, version, changelog, CITATION.cff, commit, annotated tag):
# make release [VERSION=1.0.0] [NOTES="..."] [HOMEPAGE=https://...] [RELEASE_ARGS=--dry-run]
release: $(VENV)/.extract
	$(BIN)/provenance release $(if $(VERSION),--version "$(VERSION)") $(if $(NOTES),--notes "$(NOTES)") $(if $(HOMEPAGE),--homepage "$(HOMEPAGE)") $(RELEASE_ARGS)

# Draft the annotations of a new article text for review: make draft ARTICLE=seeds/texts/NAME.txt
draft: install-extract
	@test -n "$(ARTICLE)" || { echo "usage: make draft ARTICLE=seeds/texts/NAME.txt"; exit 2; }
	$(BIN)/provenance draft $(ARTICLE)

# Score the extractor against the curated annotations, leaving one article out.
evaluate: install-extract
	$(BIN)/provenance evaluate
	$(MAKE) build

# BENCH_ARGS: e.g. --sizes 0,1000 or --quick (see `provenance bench --help`).
# Compiled first, as for the tests: each timed build is a process of its own.
bench: build
	$(COMPILE)
	$(BIN)/provenance bench $(BENCH_ARGS)

# The container image of the site (Dockerfile), serving data/ as built here.
image: build
	docker build -t bukhari-provenance .

clean:
	rm -rf $(VENV) $(DB) data/metadata.json static/vendor
