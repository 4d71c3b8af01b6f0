# sanding: two commands to start (see README): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test lint format install migrate demo worker

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	DEBUG=1 $(PY) manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(PY) manage.py load_demo

# Development server with the demo city; the background-task worker runs beside it.
run: demo
	@echo "打开 http://$(HOST)/ ，演示账号见 README（密码 sanding-demo）。"
	DEBUG=1 $(PY) manage.py db_worker --no-reload & \
	  worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 $(PY) manage.py runserver $(HOST)

worker: install
	DEBUG=1 $(PY) manage.py db_worker --no-reload

# The whole suite: SQLite by default, PostgreSQL when DATABASE_URL is set. CI adds coverage through
# PYTEST_ARGS (see .ci/run).
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# ruff, then the import layering (contracts in .importlinter: arrows point down only).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
