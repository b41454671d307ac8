"""The query service over Neo4j: ``Neo4jBackend(driver, ...)``, ``.connect(uri, ...)`` or
``.from_env()``; the connection and sync-state attributes (``uri``, ``run``, ``sync_state``,
``close``, ...) are its store's (``queries.stores.neo4j``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from neo4j import Driver

from queries.service import QueryService
from queries.stores.neo4j import ENV_VARS, Neo4jStore

__all__ = ["ENV_VARS", "Neo4jBackend"]


class Neo4jBackend(QueryService):
    store: Neo4jStore

    def __init__(self, driver: Driver | Neo4jStore, **options: Any):
        super().__init__(driver if isinstance(driver, Neo4jStore)
                         else Neo4jStore(driver, **options))

    @classmethod
    def connect(cls, uri: str, **options: Any) -> Neo4jBackend:
        return cls(Neo4jStore.connect(uri, **options))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Neo4jBackend:
        return cls(Neo4jStore.from_env(environ))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "store":
            raise AttributeError(name)
        return getattr(self.store, name)
