# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: install run test lint check migrations-check deploy-check security audit audit-ci clean bench load css

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt $(wildcard package-lock.json) | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	# nhsuk-frontend and chart.js (served by whitenoise), axe-core for the browser tests (tests/e2e/)
	# and sass for `make css`, pinned in package-lock.json.
	if [ -f package.json ]; then npm ci --no-audit --no-fund; fi
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
	$(BIN)/pytest -n auto --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=. $(BIN)/lint-imports

migrations-check: install
	$(MANAGE) makemigrations --check --dry-run

# The e-mail backend is stated: production refuses the console and file backends (portal.E001).
deploy-check: install
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	ALLOWED_HOSTS=portal.example.nhs.uk DATABASE_URL=sqlite:///var/deploy-check.sqlite3 \
	EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend EMAIL_USE_TLS=true \
	$(MANAGE) check --deploy --fail-level WARNING --settings=portal.settings.production

# Static security analysis of the portal's own code; fails on medium severity and confidence or worse.
security: install
	$(BIN)/bandit -q -r portal directory policies referrals mdt diagnostics second_opinions waiting_times fhir_api letters -x '*/migrations/*' \
		--severity-level medium --confidence-level medium

# Known vulnerabilities in the pinned runtime dependencies (any known vulnerability fails).
audit: install
	$(BIN)/pip-audit -r requirements.txt --strict

# CI's form of `make audit`. pip-audit reads each release's JSON on pypi.org (its "vulnerabilities");
# the probe asks for one release's JSON first. Where that cannot be read nothing is audited, and that
# fails: "could not be audited" is not a pass. A machine known to reach no release JSON (this
# project's CI: see README) sets AUDIT_OPTIONAL=1, and then it says NOT AUDITED loudly and passes.
NOT_AUDITED := NOT AUDITED: this machine cannot read release JSON (vulnerabilities) from pypi.org, \
	which pip-audit needs
audit-ci: install
	@if $(BIN)/python -c "import urllib.request; urllib.request.urlopen('https://pypi.org/pypi/pip/24.0/json', timeout=15)" 2>/dev/null; \
	then $(MAKE) audit; \
	elif [ "$${AUDIT_OPTIONAL:-}" = 1 ]; \
	then echo "$(NOT_AUDITED); passing because AUDIT_OPTIONAL=1."; \
	else echo "$(NOT_AUDITED), so this fails. Run it where pypi.org is reachable," \
		"or set AUDIT_OPTIONAL=1 to pass without an audit." >&2; exit 1; fi

check: lint migrations-check deploy-check security test

# NHS.UK frontend's CSS, compiled with the portal's settings (portal/styles/nhsuk.scss says why).
# Run after changing nhsuk-frontend's version in package.json; commit the result.
css: install
	node_modules/.bin/sass --load-path=node_modules --style=compressed --no-source-map \
		portal/styles/nhsuk.scss portal/static/portal/nhsuk.css

clean:
	rm -rf $(VENV) var/celery var/celerybeat-schedule* .pytest_cache .ruff_cache

# The performance benchmark against PostgreSQL (docs/performance.md). Not part of `make check` or
# CI: it seeds a million referrals and takes a quarter of an hour.
bench: install
	$(BIN)/python bin/bench.py

# The load and fault test of the whole deployment (docs/reliability.md): its own PostgreSQL cluster
# and Redis on free 127.0.0.1 ports, gunicorn with the production settings, a Celery worker and
# beat, driven by Locust. Not part of `make check` or CI. LOAD_ARGS, e.g. "--reuse" or
# "--referrals 20000 --users 10 --duration 30".
load: install
	$(BIN)/python bin/load.py $(LOAD_ARGS)
