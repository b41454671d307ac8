"""The graph stores behind ``queries.store.GraphStore``: the embedded networkx graph
(``embedded``) and Neo4j (``neo4j``, its Cypher in ``cypher``)."""
