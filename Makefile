# Health Data Science course: every command a reader, author or instructor needs.
# `make help` lists them. Each target sets up what it needs first (a .venv with
# the pinned packages, node_modules for the Node tools) and skips that step
# when nothing changed.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.DEFAULT_GOAL := help
.PHONY: help setup serve build test check bench notebooks lint-notebooks clean-notebooks leaks linkcheck claims-due fork new-notebook clean

help: ## List the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt notebooks/requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt -r notebooks/requirements.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(VENV)/.installed node_modules/.installed ## Install everything (idempotent)

serve: $(VENV)/.installed ## Serve the site on http://127.0.0.1:8000 with live reload
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000 --livereload

build: $(VENV)/.installed ## Build the site into site/ (strict)
	$(BIN)/mkdocs build --strict

test: setup ## Run the whole test suite
	$(PY) -m pytest

check: $(VENV)/.installed ## Quick loop after editing one notebook: rules, strict build, its nbval (NB=notebooks/x.ipynb)
	@test -n "$(NB)" || { echo "make check needs NB=notebooks/NAME.ipynb (the notebook you changed)"; exit 2; }
	$(PY) scripts/quick_check.py "$(NB)"

bench: setup ## Budgets side by side: cold build vs Jupyter Book and vs no hooks, make test, quick loop, page weight
	$(PY) scripts/bench.py

notebooks: $(VENV)/.installed ## Re-execute notebooks in place and clean them (NB=notebooks/x.ipynb for one)
	$(PY) scripts/run_notebooks.py $(NB)

lint-notebooks: $(VENV)/.installed ## Check every notebook against the notebook rule book (scripts/notebook_rules.py)
	$(PY) scripts/notebook_rules.py $(NB)

clean-notebooks: $(VENV)/.installed ## Strip account metadata and volatile fields from notebooks
	$(PY) scripts/clean_notebooks.py

leaks: $(VENV)/.installed ## Run the leak guards (notebook metadata, secrets, patient-like data) on every file
	$(BIN)/pre-commit run --all-files

# The link check's own exit status (0: no link broken, 1: some are broken,
# 2: the check could not run) is kept in $(LINKCHECK_STATUS): make itself
# exits 2 whenever a recipe fails, whatever the status. LINKCHECK_ARGS passes
# options to scripts/linkcheck.py (see `$(PY) scripts/linkcheck.py --help`).
LINKCHECK_STATUS ?= build/linkcheck/status
linkcheck: build ## Build, then check every external link of the site (needs the internet)
	@mkdir -p $(dir $(LINKCHECK_STATUS))
	@status=0; $(PY) scripts/linkcheck.py $(LINKCHECK_ARGS) || status=$$?; \
	echo $$status > $(LINKCHECK_STATUS); \
	if [ $$status -ne 0 ]; then echo "make linkcheck: link check status $$status (1: links broken, 2: could not run), kept in $(LINKCHECK_STATUS)" >&2; fi; \
	exit $$status

# As for linkcheck, the review's own exit status (0: nothing due, 1: some
# claims due, 2: the register could not be read) is kept in $(CLAIMS_STATUS).
# REPORT=file.md also writes the list as Markdown; TODAY=YYYY-MM-DD reviews as
# of another day.
CLAIMS_STATUS ?= build/claims/status
claims-due: $(VENV)/.installed ## List the claims of claims.yml checked more than six months ago
	@mkdir -p $(dir $(CLAIMS_STATUS))
	@status=0; $(PY) scripts/claims.py due $(if $(TODAY),--today "$(TODAY)") $(if $(REPORT),--markdown "$(REPORT)") || status=$$?; \
	echo $$status > $(CLAIMS_STATUS); \
	exit $$status

fork: $(VENV)/.installed ## Re-point the course to a fork: make fork REPO=owner/name [BRANCH=main]
	$(PY) scripts/fork.py "$(REPO)" $(if $(BRANCH),--branch "$(BRANCH)")

new-notebook: $(VENV)/.installed ## Start a notebook: make new-notebook NAME=my-topic [TITLE="My topic"]
	$(PY) scripts/new_notebook.py "$(NAME)" $(if $(TITLE),--title "$(TITLE)")

clean: ## Remove build output and caches (keeps .venv and node_modules)
	rm -rf site build .cache .pytest_cache
