# Health Data Science course: every command a reader, author or instructor needs.
# `make help` lists them. Each target sets up what it needs first (a .venv with
# the pinned packages, node_modules for the Node tools) and skips that step
# when nothing changed.

SHELL := /bin/bash
# One Python environment for everything (.venv): the site tooling and the
# notebooks share Google Colab's Python version and Colab's pins for the
# notebook packages and the kernel, so nbval's --nbval-current-env and
# `make notebooks` run the notebooks as Colab does, and authors have one
# environment to think about. The version is the `# python-version:` line of
# notebooks/colab-runtime.txt; scripts/find_python.sh finds that interpreter
# (PATH, pyenv, /usr/bin) or says how to install it. `make setup PYTHON=...`
# names one. A .venv made with another Python is rebuilt.
COLAB_PYTHON := $(shell sed -n 's/^\# python-version: *\([0-9]*\.[0-9]*\).*/\1/p' notebooks/colab-runtime.txt)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
REQUIREMENTS := requirements.txt notebooks/requirements.txt notebooks/kernel-requirements.txt
# The install stamp names the Python version, so a change of version re-runs the install.
INSTALLED := $(VENV)/.installed-python$(COLAB_PYTHON)
# The build's environment (scripts/local_site.py's BUILD_ENVIRONMENT, which the
# tests and `make bench` use, holds the same): no MkDocs 2 notice from Material,
# and no start-up scan by nbconvert that makes every installed exporter only to
# list their names for its help text (about a tenth of a cold build).
export NO_MKDOCS_2_WARNING := 1
export NBCONVERT_DISABLE_CONFIG_EXPORTERS := 1
# Colab's jupyter_client (7.4.9) parses a date without a year when imported,
# which Python 3.13 warns about; MkDocs printed that warning on every build.
export PYTHONWARNINGS := ignore:Parsing dates involving a day of month without a year:DeprecationWarning
export PYTHONDONTWRITEBYTECODE := 1
# Colab's ipykernel (6.17.1) starts debugpy, which warns on Python 3.12+ that
# frozen modules may hide breakpoints at every kernel start; nobody debugs here.
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.DEFAULT_GOAL := help
.PHONY: help setup serve build test check bench notebooks colab-sim student-copies lint-notebooks clean-notebooks leaks linkcheck claims-due fork new-notebook clean

help: ## List the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(INSTALLED): $(REQUIREMENTS)
	@if ! $(PY) -c 'import sys; sys.exit(f"{sys.version_info[0]}.{sys.version_info[1]}" != "$(COLAB_PYTHON)")' 2>/dev/null; then \
	  python=$$(PYTHON="$(PYTHON)" scripts/find_python.sh $(COLAB_PYTHON)) || exit 1; \
	  echo "Creating $(VENV) with $$python (Python $(COLAB_PYTHON), Colab's version)"; \
	  rm -rf $(VENV) && "$$python" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --disable-pip-version-check -q $(addprefix -r ,$(REQUIREMENTS))
	@rm -f $(VENV)/.installed $(VENV)/.installed-python*
	@touch $@

node_modules/.installed: package.json package-lock.json
	@node -e 'const v = process.versions.node; if (+v.split(".")[0] < 22) console.error("Warning: Node.js " + v + " is past its end of life (Node.js 20 ended on 2026-04-30); the course is tested with 22 and 24.")'
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(INSTALLED) node_modules/.installed ## Install everything (idempotent)

serve: $(INSTALLED) ## Serve the site on http://127.0.0.1:8000 with live reload
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000 --livereload

build: $(INSTALLED) ## Build the site into site/ (strict)
	$(BIN)/mkdocs build --strict

# The browser tests drive the browser scripts/setup_browser.py finds or
# installs. `make test BROWSER=0` runs everything else and lists what it left out.
BROWSER ?= 1
test: setup ## Run the whole test suite (BROWSER=0: all but the browser tests)
ifeq ($(BROWSER),0)
	$(PY) -m pytest --without-browser
else
	@browser="$$($(PY) scripts/setup_browser.py)" && echo "CHROMIUM_PATH=$$browser $(PY) -m pytest" && \
	  CHROMIUM_PATH="$$browser" $(PY) -m pytest
endif

check: $(INSTALLED) ## Quick loop after editing one notebook: student copies, leak guards, rules, strict build, its nbval (NB=notebooks/x.ipynb)
	@test -n "$(NB)" || { echo "make check needs NB=notebooks/NAME.ipynb (the notebook you changed)"; exit 2; }
	$(PY) scripts/quick_check.py "$(NB)"

bench: setup ## Budgets side by side: cold build vs Jupyter Book and vs no hooks, make test, quick loop, page weight
	$(PY) scripts/bench.py

notebooks: $(INSTALLED) ## Re-execute notebooks in place and clean them (NB=notebooks/x.ipynb for one)
	$(PY) scripts/run_notebooks.py $(NB)

colab-sim: $(INSTALLED) ## Run notebooks in simulated Colab, every flag and runtime, with the coverage report (NB=... for one)
	$(PY) tests/colab_runtime_sim $(NB)

student-copies: $(INSTALLED) ## Write exercises/: each notebook without its solutions (the copies students open)
	$(PY) scripts/student_copies.py

lint-notebooks: $(INSTALLED) ## Check every notebook against the notebook rule book (scripts/notebook_rules.py)
	$(PY) scripts/notebook_rules.py $(NB)

clean-notebooks: $(INSTALLED) ## Strip account metadata and volatile fields from notebooks
	$(PY) scripts/clean_notebooks.py

# Every file git tracks or would track (new files too, such as a new notebook's
# student copy), not only the tracked ones `pre-commit run --all-files` sees.
leaks: $(INSTALLED) ## Run the leak guards (notebook metadata, secrets, patient-like data) on every file
	git ls-files -z --cached --others --exclude-standard | xargs -0 $(BIN)/pre-commit run --files

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
claims-due: $(INSTALLED) ## List the claims of claims.yml checked more than six months ago
	@mkdir -p $(dir $(CLAIMS_STATUS))
	@status=0; $(PY) scripts/claims.py due $(if $(TODAY),--today "$(TODAY)") $(if $(REPORT),--markdown "$(REPORT)") || status=$$?; \
	echo $$status > $(CLAIMS_STATUS); \
	exit $$status

fork: $(INSTALLED) ## Re-point the course to a fork: make fork REPO=owner/name [BRANCH=...] [SITE_URL=https://...]
	$(PY) scripts/fork.py "$(REPO)" $(if $(BRANCH),--branch "$(BRANCH)") $(if $(SITE_URL),--site-url "$(SITE_URL)")

new-notebook: $(INSTALLED) ## Start a notebook: make new-notebook NAME=my-topic [TITLE="My topic"]
	$(PY) scripts/new_notebook.py "$(NAME)" $(if $(TITLE),--title "$(TITLE)")

clean: ## Remove build output and caches (keeps .venv and node_modules)
	rm -rf site build .cache .pytest_cache
