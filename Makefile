# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

# A real Neo4j 5.26 Community server, resolved from Maven Central (neo4j-server/pom.xml).
NEO4J_LIB   := neo4j-server/lib
NEO4J_STAMP := $(NEO4J_LIB)/.resolved
NEO4J_HOME  ?= neo4j-server/run/default

# The explorer page's front-end libraries (web/package.json), from the npm registry.
WEB_STAMP := web/node_modules/.installed

.PHONY: run run-neo4j test lint bench clean neo4j-jars neo4j web browser rdf-tools docker-env

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

# With NEO4J_URI set, data/ is synced into that Neo4j first (a no-op when unchanged). The
# SPARQL store is built (or opened) before serving, so the endpoint answers from the start.
run: $(VENV)/.installed $(WEB_STAMP)
	$(BIN)/innograph stats
	if [ -n "$$NEO4J_URI" ]; then $(BIN)/innograph sync; fi
	$(BIN)/innograph sparql-store
	$(BIN)/innograph serve --host $(HOST) --port $(PORT)

# One step without Docker: the local Neo4j (its empty database bulk-imported on first use),
# started in the background, synced, then `make run` on it. Auth is on: sync and serve read
# the password the server keeps in $(NEO4J_HOME)/innograph-password. Stop Neo4j with
# `$(BIN)/python -m innograph.neo4j_server stop --home $(NEO4J_HOME)`.
run-neo4j: $(VENV)/.installed $(NEO4J_STAMP)
	if [ ! -e $(NEO4J_HOME)/data/databases/neo4j/neostore ]; then \
		$(BIN)/innograph sync --bulk-home $(NEO4J_HOME); fi
	$(BIN)/python -m innograph.neo4j_server status --home $(NEO4J_HOME) >/dev/null || \
		$(BIN)/python -m innograph.neo4j_server start --home $(NEO4J_HOME) \
			--bolt-port 7687 --http-port 7474
	INNOGRAPH_NEO4J_HOME=$(NEO4J_HOME) $(MAKE) run NEO4J_URI=bolt://127.0.0.1:7687

test: $(VENV)/.installed-dev neo4j-jars rdf-tools $(WEB_STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/pytest

# The code is laid out by hand to ruff's line length; `ruff format` is not used.
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

# The server's runtime jars (~240), copied once; redone only when the pom changes.
$(NEO4J_STAMP): neo4j-server/pom.xml
	rm -rf $(NEO4J_LIB)
	mvn -q -B -Dstyle.color=never -f neo4j-server/pom.xml dependency:copy-dependencies
	touch $@

neo4j-jars: $(NEO4J_STAMP)

# Outside RDF/OWL engines for tests/test_rdf_engines.py: Jena's CLI and ROBOT (HermiT, ELK),
# from Maven Central (tools/rdf-check/pom.xml), each into tools/rdf-check/lib/<tool>/.
rdf-tools: $(VENV)/.installed-dev
	$(BIN)/python tests/rdf_tools.py

# Neo4j in the foreground on bolt://127.0.0.1:7687, Browser http://127.0.0.1:7474/browser/
# (user neo4j; its password, generated on first start, is printed by
# `$(BIN)/python -m innograph.neo4j_server password --home $(NEO4J_HOME)`)
neo4j: $(VENV)/.installed $(NEO4J_STAMP)
	$(BIN)/python -m innograph.neo4j_server start --foreground --home $(NEO4J_HOME) \
		--bolt-port 7687 --http-port 7474

# `docker compose` reads NEO4J_AUTH from .env: written once, with a generated password.
docker-env: .env
.env:
	umask 077 && $(PYTHON) -c "import secrets; print('NEO4J_AUTH=neo4j/' + secrets.token_hex(16))" > $@

# Without npm the server still runs; the page then says its drawing library is missing.
$(WEB_STAMP): web/package.json web/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd web && npm ci --no-audit --no-fund && touch node_modules/.installed; \
	else echo "npm not found: the explorer page will run without its drawing library" >&2; fi

web: $(WEB_STAMP)

# Debian's headless Chromium (and a CJK font) for the explorer's end-to-end tests.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list :lang=zh | grep -q .; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium \
			fonts-wqy-zenhei; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
