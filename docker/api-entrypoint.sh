#!/bin/sh
# The api container: sync data/ into Neo4j, then serve the API on all interfaces (compose
# publishes the port on 127.0.0.1 only). The Neo4j volume holds only this graph, so the sync
# replaces: what was removed from data/ disappears from Neo4j too.
set -eu

# The compose env file holds the Neo4j image's NEO4J_AUTH ("user/password"); innograph reads
# NEO4J_USER and NEO4J_PASSWORD.
if [ -n "${NEO4J_AUTH:-}" ] && [ -z "${NEO4J_PASSWORD:-}" ]; then
    NEO4J_USER="${NEO4J_AUTH%%/*}"
    NEO4J_PASSWORD="${NEO4J_AUTH#*/}"
    export NEO4J_USER NEO4J_PASSWORD
fi

innograph sync --replace --data "$INNOGRAPH_DATA"
exec innograph serve --host 0.0.0.0 --port 8000 --data "$INNOGRAPH_DATA"
