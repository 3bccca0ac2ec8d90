# The two commands: `make run` serves the demo, `make test` runs the whole suite.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
MO     := survey/translations/vi/LC_MESSAGES/messages.mo

.PHONY: run worker test lint translations extract-messages clean bench bench-quick vendor-brotli

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

$(MO): survey/translations/vi/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile -d survey/translations

translations: $(MO)

run: $(STAMP) $(MO)
	mkdir -p instance
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi seed-demo --if-empty --real-city
	$(BIN)/flask --app wsgi tallies fold
	@$(BIN)/python -m survey.banner
	@echo "Job worker: huey_consumer survey.jobs.huey (log: instance/worker.log)"
	@$(BIN)/huey_consumer survey.jobs.huey -w 2 -l instance/worker.log & worker=$$!; \
	trap 'kill -INT $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# A job worker alone (on another host: the same DATABASE_URL and a shared
# SURVEY_JOBS_URL=redis://...).
worker: $(STAMP) $(MO)
	$(BIN)/huey_consumer survey.jobs.huey -w $(or $(WORKERS),2)

# The part of the package that `mypy --strict` finds clean (issue 16); it only
# grows: add a module here once it is clean, until this is just `survey`.
# The public form: all but flow.py, whose answers reach record_response as
# QuestionData while survey/services/answering still types them as Question rows.
PUBLIC := $(filter-out %/flow.py,$(wildcard survey/public/*.py))
# Field work: all but cases.py, which another change edits.
FW := survey/services/fieldwork
MYPY_CLEAN := survey/domain survey/models survey/auth survey/api survey/channels \
	survey/services/city survey/services/demo/writer.py \
	survey/__init__.py survey/accesslog.py survey/assets.py survey/banner.py \
	survey/config.py survey/errors.py survey/extensions.py survey/health.py \
	survey/ratelimit.py survey/read_limits.py survey/replica.py survey/warmup.py \
	survey/web.py survey/cli survey/services/integrity survey/services/users.py \
	survey/services/audit.py survey/admin survey/jobs.py $(PUBLIC) \
	$(FW)/__init__.py $(FW)/csv_upload.py $(FW)/data_requests.py \
	$(FW)/interviews.py $(FW)/invited_counts.py $(FW)/outbox.py \
	$(FW)/outbox_plans.py $(FW)/outbox_reports.py $(FW)/wave_progress.py \
	$(FW)/waves.py $(FW)/weights.py

lint: $(STAMP)
	$(BIN)/ruff check survey tests wsgi.py
	$(BIN)/ruff format --check survey tests wsgi.py
	$(BIN)/mypy --strict $(MYPY_CLEAN)

# axe-core for the accessibility audit of the browser tests (from npm, once).
node_modules/axe-core/axe.min.js:
	-npm install --no-save --no-package-lock --no-audit --no-fund --silent axe-core@4

# The suite in parallel (pytest-xdist): one process per core by default,
# TEST_WORKERS=0 for one process; each worker has its own databases.
TEST_WORKERS ?= auto

test: $(STAMP) $(MO) lint node_modules/axe-core/axe.min.js
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The benchmark of issue 7: prints a table, writes bench/results.json.
# Full run about 30 minutes; `make bench-quick` (or ARGS=--quick) under 3.
bench: $(STAMP) $(MO)
	$(BIN)/python bench/run.py $(ARGS)

bench-quick: $(STAMP) $(MO)
	$(BIN)/python bench/run.py --quick $(ARGS)

# Plotly's vendored bundle precompressed with Brotli (quality 11: 15 s, too
# slow for a worker), committed beside it; run again after changing the bundle.
PLOTLY_JS := $(wildcard survey/static/vendor/plotly-basic-*.min.js)
vendor-brotli: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check 'brotli>=1.1'
	$(BIN)/python -c "import brotli, sys; [open(p + '.br', 'wb').write(brotli.compress(open(p, 'rb').read(), quality=11)) for p in sys.argv[1:]]" $(PLOTLY_JS)

# Refresh the message catalogue after changing texts in code or templates.
extract-messages: $(STAMP)
	$(BIN)/pybabel extract --ignore-dirs='.* node_modules' -F babel.cfg -k _l -o survey/translations/messages.pot .
	$(BIN)/pybabel update -i survey/translations/messages.pot -d survey/translations

clean:
	rm -rf $(VENV) instance/survey.sqlite3*
