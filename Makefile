# ARGE-Partnerportal – every command a developer needs. `make help` lists them.
# `make run` and `make test` set up everything themselves (Python ≥ 3.11, Node/npm and git are assumed).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP_PY := $(VENV)/.installed
STAMP_NODE := node_modules/.installed
STAMP_BENCH := $(VENV)/.installed-bench

.DEFAULT_GOAL := help
.PHONY: help install run test test-sqlite bench bench-quick lint fmt audit lock clean

help: ## Show this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP_PY): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 oder neuer wird benötigt.")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

$(STAMP_NODE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(STAMP_PY) $(STAMP_NODE) ## Create or update .venv and node_modules

# Links in the mails of `make run` point at the port it serves on (unless PORTAL_BASE_URL is set).
run: export PORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)
run: install ## Serve the site at / and the portal at /portal/ with demo data (PORT=8000)
	$(BIN)/portal db upgrade
	$(BIN)/portal demo-data
	$(BIN)/portal publish
	@echo ""
	@echo "Öffentliche Website: http://127.0.0.1:$(PORT)/"
	@echo "Partnerportal:       http://127.0.0.1:$(PORT)/portal/"
	@echo "Links in E-Mails:    $(PORTAL_BASE_URL)/portal/"
	@echo ""
	$(BIN)/portal run --host 127.0.0.1 --port $(PORT)

test: install ## Run the whole suite with coverage (PostgreSQL too when TEST_DATABASE_URL is set)
	$(BIN)/pytest --cov --cov-report=term-missing

test-sqlite: install ## Run the suite without browser tests on the embedded SQLite database
	TEST_DATABASE_URL= $(BIN)/pytest -q -m "not browser and not install" --no-cov

$(STAMP_BENCH): $(STAMP_PY)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	touch $@

bench: $(STAMP_BENCH) $(STAMP_NODE) ## Benchmarks (publish, PDF, requests on PostgreSQL database bench): tables and BENCH lines
	$(BIN)/python -m bench

bench-quick: $(STAMP_BENCH) $(STAMP_NODE) ## The benchmarks with smaller sizes, in at most five minutes
	$(BIN)/python -m bench --quick

lint: install ## Static checks: ruff (incl. security rules), formatting, mypy, the layer contracts (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

fmt: install ## Format the code and apply safe lint fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

audit: install ## Check dependencies for known vulnerabilities (needs the vulnerability service; not part of test)
	$(BIN)/python -m pip install --quiet pip-audit
	$(BIN)/pip-audit -r constraints.txt

lock: $(STAMP_NODE) ## Re-resolve all dependencies into constraints.txt (after changing pyproject.toml; the wheel bundles KERN UX)
	rm -rf build/lock-venv
	$(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/python -m pip install --quiet --upgrade pip
	build/lock-venv/bin/python -m pip install --quiet '.[dev,bench]'
	build/lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^arge-partnerportal' > constraints.txt
	rm -rf build/lock-venv

clean: ## Remove generated files (keeps instance/ with your local database)
	rm -rf build .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .grimp_cache .coverage htmlcov
