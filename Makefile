# The targets are the contract for the README and .ci/run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
BROWSER := $(VENV)/.browser

.PHONY: install browser demo test test-fast test-browser lint format audit bench lock messages clean

install: $(INSTALLED)

$(INSTALLED): pyproject.toml requirements.lock package.json package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium for the browser tests (never a downloaded browser build).
browser: $(BROWSER)

$(BROWSER): scripts/install-chromium
	scripts/install-chromium
	mkdir -p $(VENV) && touch $@

demo: install
	$(BIN)/observatoire demo

test: install browser
	$(BIN)/pytest -n auto --dist loadgroup $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# pip-audit over requirements.lock; says loudly when no vulnerability database answers.
audit: install
	scripts/audit

bench: install
	$(BIN)/python -m bench

# The English catalogue of the interface (the barometer keeps its own, in its app).
messages: install
	$(BIN)/observatoire makemessages -l en --ignore "observatoire/barometer/*" \
		--ignore "observatoire/templates/barometer/*" --ignore ".venv/*" --ignore "node_modules/*" --ignore "var/*"
	$(BIN)/observatoire compilemessages -l en --ignore ".venv/*" --ignore "node_modules/*"

lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --quiet -o requirements.lock

clean:
	rm -rf $(VENV) node_modules var/static
