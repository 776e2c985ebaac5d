# The two commands a new user needs: `make run` and `make test`. See README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-from-lock
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run demo test lint check pytest lock messages clean audit world-map

# A virtualenv that holds exactly the locked set; rebuilt when the lock changes.
$(INSTALLED): requirements-dev.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	touch $(INSTALLED)

# axe-core for the accessibility tests, and world-atlas, d3-geo and topojson-client that draw
# the cities' world map, exactly as package-lock.json pins them. Without npm the step says so
# and the tests that need them skip (they fail under CI=true).
node_modules: package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch node_modules; \
	else echo "npm not found: node_modules not installed, the axe-core tests will skip"; fi

install: $(INSTALLED)

# Redraws the cities' world map from the npm packages (knowledge/world_map/); the output is
# committed, so only a change of package or drawing needs this.
world-map: node_modules
	node knowledge/world_map/build_world_map.mjs

# Everything the site needs, idempotent: schema, summit, demo practices, demo accounts.
demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_summit_2020
	$(BIN)/python manage.py load_demo_practices
	$(BIN)/python manage.py create_demo_accounts
	$(BIN)/python manage.py search_rebuild

run: demo
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C stops)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run

pytest: install node_modules
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint check pytest

# Known vulnerabilities in the locked runtime packages, from PyPI's advisory data. --strict
# fails when a package could not be checked; AUDIT_IGNORE takes `--ignore-vuln ID` flags for
# the exceptions listed, with their reasons, in docs/security.md.
audit: install
	$(BIN)/pip-audit -r requirements.lock --disable-pip --require-hashes --strict --progress-spinner off $(AUDIT_IGNORE)

# Re-pin every package after editing pyproject.toml.
lock:
	uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements.lock -q
	uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements-dev.lock -q

messages: install
	$(BIN)/python manage.py makemessages -l ko -l zh_Hans -l ja -l es -l fr -l ar --ignore=.venv --ignore=var --ignore=node_modules --ignore=tests --ignore=bench
	# Wagtail's admin-script strings its catalogues leave out (core/upstream_strings.js).
	$(BIN)/python manage.py makemessages -d djangojs -l ko -l zh_Hans -l ja -l es -l fr -l ar --ignore=.venv --ignore=var --ignore=node_modules --ignore=static --ignore=tests --ignore=bench
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) var node_modules
