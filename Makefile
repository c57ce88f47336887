# 招商项目管家 — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 5000
export BASE_URL ?= http://127.0.0.1:$(PORT)
export TZ := Asia/Shanghai
export FLASK_APP := wsgi

.PHONY: run test install translations migrate seed bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP) translations

# Compiled catalogs are build output (ignored by git); compile them from the .po sources.
translations: $(STAMP)
	@if [ -d crm/translations ]; then $(BIN)/pybabel compile -q -d crm/translations 2>/dev/null || $(BIN)/pybabel compile -d crm/translations; fi

migrate: install
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed first-run

run: seed
	PORT=$(PORT) $(BIN)/python -m workers serve --port $(PORT)

test: install
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL: $$TEST_DATABASE_URL"; \
		$(BIN)/python -m pytest -m "not sqlite_only" -p no:cacheprovider $(PYTEST_ARGS); fi

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
