# The two commands a new user types (see README.md):
#   make run   set up, write the demo organisation on first run, start the coach's app
#   make test  set up (Python packages and Debian's chromium) and run every test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?= data
STAMP := $(VENV)/.installed

.PHONY: run test setup lock browser fonts proxy unit notebooks e2e bench clean

# The project with the versions the tests pass with (constraints.txt): a release on PyPI changes nothing here until
# `make lock` takes it in (and the tests are run with it).
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Upgrade the venv within pyproject.toml's ranges and write constraints.txt again; then run `make test`.
lock:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --upgrade -e '.[test]'
	{ sed -n '/^#/p' constraints.txt; $(BIN)/pip freeze --exclude-editable | grep -v '^#'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	touch $(STAMP)

run: setup
	@if [ ! -f $(DATA)/roster.csv ]; then \
	  $(BIN)/careerconv --data $(DATA) demo --employees 60 --seed 7; \
	fi
	$(BIN)/careerconv --data $(DATA) app

# Debian's Chromium for the browser tests (CI runs as root on a clean machine).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Browser tests need Debian's chromium: sudo apt-get install -y chromium"; fi; \
	fi

# A CJK font for PDF reports with Chinese, Japanese or Korean text, and Symbola for emoji (the PDF falls back to them).
fonts:
	@if [ ! -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] && ! fc-list 2>/dev/null | grep -qi "cjk\|wenquanyi"; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-droid-fallback; \
	  else echo "PDF reports with CJK text need a CJK font: sudo apt-get install -y fonts-droid-fallback"; fi; \
	fi
	@if [ ! -f /usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-symbola; \
	  else echo "PDF reports with emoji need a font that has them: sudo apt-get install -y fonts-symbola"; fi; \
	fi

# configurable-http-proxy from npm, for JupyterHub (careerconv hub and its tests; CI runs as root).
proxy:
	@if ! command -v configurable-http-proxy >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    command -v npm >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm); \
	    npm install -g --silent configurable-http-proxy; \
	  else echo "The hub tests need configurable-http-proxy: sudo npm install -g configurable-http-proxy"; fi; \
	fi

# The notebooks run with papermill on a copy of the sample and are checked on what they show (the sample stays as
# committed); `unit` leaves those two modules to `notebooks`, so `make test` runs each test once. The unit tests
# run on one process per core (pytest-xdist): each makes its own folders, servers and ports. Each process starts
# with a run of whole test files (a file's hub or server starts once) and takes tests from the other's run when it
# has none left ("worksteal"), so a slow test near the end does not leave one core idle. The browser tests run on
# one process per core too, each taking whole files ("loadfile": a file's app server, hub or browser starts once);
# many of them wait on the app's own clocks (a beat every 15 s, a section's time saved every 30 s), which the other
# process's tests fill.
NOTEBOOK_TESTS := tests/test_notebooks.py tests/test_explore_notebook.py

unit: setup fonts proxy
	$(BIN)/python -m pytest -q -n auto --dist worksteal tests --ignore=tests/e2e $(NOTEBOOK_TESTS:%=--ignore=%)

notebooks: setup
	$(BIN)/python -m pytest -q $(NOTEBOOK_TESTS)

e2e: setup browser proxy
	$(BIN)/python -m pytest -q -n auto --dist loadfile tests/e2e

test: setup browser unit notebooks e2e

# Benchmarks print figures next to a baseline measured in the same run.
bench: setup
	$(BIN)/python benchmarks/bench_store.py
	$(BIN)/python benchmarks/bench_app.py
	$(BIN)/python benchmarks/bench_reports.py
	$(BIN)/python benchmarks/bench_hr.py
	$(BIN)/python benchmarks/bench_service.py
	$(BIN)/python benchmarks/bench_facts_state.py

clean:
	rm -rf $(VENV) reports
