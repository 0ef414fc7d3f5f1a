# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: install run test lint check migrations-check deploy-check clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

var/demo-password: | install
	@mkdir -p var
	@$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(12))" > $@

run: install var/demo-password
	$(MANAGE) migrate --noinput
	PORTAL_DEMO_PASSWORD="$${PORTAL_DEMO_PASSWORD:-$$(cat var/demo-password)}" $(MANAGE) seed_demo
	bin/run-dev

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrations-check: install
	$(MANAGE) makemigrations --check --dry-run

deploy-check: install
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	ALLOWED_HOSTS=portal.example.nhs.uk DATABASE_URL=sqlite:///var/deploy-check.sqlite3 \
	$(MANAGE) check --deploy --fail-level WARNING --settings=portal.settings.production

check: lint migrations-check deploy-check test

clean:
	rm -rf $(VENV) var/celery var/celerybeat-schedule* .pytest_cache .ruff_cache

# The performance benchmark against PostgreSQL (docs/performance.md). Not part of `make check` or
# CI: it seeds a million referrals and takes a quarter of an hour.
bench: install
	$(BIN)/python bin/bench.py
