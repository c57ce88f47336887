# 招商项目管家 — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 5000
export BASE_URL ?= http://127.0.0.1:$(PORT)
export TZ := Asia/Shanghai
export FLASK_APP := wsgi

.PHONY: run test lint install translations messages migrate seed bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP) translations

# Compiled catalogs are build output (ignored by git); compile them from the .po sources.
translations: $(STAMP)
	@if [ -d crm/translations ]; then $(BIN)/pybabel compile -q -d crm/translations 2>/dev/null || $(BIN)/pybabel compile -d crm/translations; fi

# After changing UI texts: re-extract them and merge into the .po files, then translate the
# new empty msgstr entries (tests/test_i18n.py fails on any left untranslated).
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _p:1c,2 -k lazy_pgettext:1c,2 \
		-o crm/translations/messages.pot .
	$(BIN)/pybabel update -N --ignore-obsolete -i crm/translations/messages.pot -d crm/translations

migrate: install
	$(BIN)/flask db upgrade

# A local trial: on a new database the demo users (demo1234) and demo records, said so on screen.
# A production install runs `flask seed first-run` without --demo (README, Production).
seed: migrate
	$(BIN)/flask seed first-run --demo

run: seed
	PORT=$(PORT) $(BIN)/python -m workers serve --port $(PORT)

lint: install
	$(BIN)/ruff check .

test: install
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL: $$TEST_DATABASE_URL"; \
		$(BIN)/python -m pytest -m "not sqlite_only" -p no:cacheprovider $(PYTEST_ARGS); fi

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
