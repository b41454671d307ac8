"""The query service over the embedded networkx graph: ``EmbeddedBackend(g)``."""

from __future__ import annotations

import networkx as nx

from queries import centrality
from queries.service import QueryService
from queries.stores.embedded import EmbeddedStore


class EmbeddedBackend(QueryService):
    def __init__(self, g: nx.MultiDiGraph,
                 centrality_settings: centrality.Settings = centrality.DEFAULT_SETTINGS):
        super().__init__(EmbeddedStore(g, centrality_settings))
