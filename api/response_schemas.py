"""JSON Schemas of the response bodies, for the OpenAPI document (``components.schemas``).

They describe what the ``QueryBackend`` methods return (see ``queries/backend.py`` and the
query modules' docstrings); the schemathesis run in ``tests/test_api_schemathesis.py`` fails
when a response breaks them. Objects stay open (extra fields allowed) so a backend may add
fields without breaking clients; kind and relation enums come from the schema.
"""

from __future__ import annotations

from typing import Any

from graph.schema import load_schema


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "object", "required": list(required),
            "properties": {**required, **(optional or {})}}


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
COUNT = {"type": "integer", "minimum": 0}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_NUMBER = {"type": ["number", "null"]}
COUNTS = {"type": "object", "additionalProperties": COUNT}
DIRECTION = {"enum": ["forward", "backward"]}
NAMED_COUNT = {"type": "object", "required": ["name", "count"],
               "properties": {"name": STRING, "count": COUNT}}


def component_schemas() -> dict[str, Any]:
    schema = load_schema()
    node_kind = {"enum": list(schema.node_kinds)}
    relation = {"enum": list(schema.all_relation_kinds)}
    edge_core = {"rel": relation, "properties": {"type": "object"},
                 "provenance": array(ref("Provenance"))}
    hop_core = {"from": STRING, "to": STRING, **edge_core, "direction": DIRECTION}
    return {
        # the reconciliation manifest, or an object of {"result": [candidate, ...]} by query
        "Reconcile": {"anyOf": [
            obj({"versions": array(STRING), "name": STRING, "identifierSpace": STRING,
                 "schemaSpace": STRING,
                 "defaultTypes": array(obj({"id": node_kind, "name": STRING})),
                 "view": obj({"url": STRING})}),
            {"type": "object", "minProperties": 1, "additionalProperties": obj({
                "result": array(obj({
                    "id": STRING, "name": STRING, "description": STRING,
                    "type": array(obj({"id": node_kind, "name": node_kind})),
                    "score": {"type": "number", "minimum": 0, "maximum": 100},
                    "match": BOOLEAN}))})}]},
        "Problem": obj(  # no instance when the server refused the request unread
            {"type": STRING, "title": STRING, "status": {"type": "integer", "minimum": 400,
                                                         "maximum": 599},
             "detail": STRING},
            {"instance": STRING, "invalid_params": array(obj({"name": STRING,
                                                               "reason": STRING})),
             "entity": STRING, "candidates": array(STRING), "max_bytes": COUNT,
             "limit_seconds": NUMBER}),
        "Provenance": obj({"source": STRING, "quote": STRING}),
        "EntitySummary": obj({"id": STRING, "kind": node_kind, "subtype": STRING,
                              "name_zh": STRING, "name_en": STRING}),
        "EntitiesById": {"type": "object", "additionalProperties": ref("EntitySummary")},
        "EntityPage": obj(
            {"total": COUNT, "offset": COUNT, "limit": COUNT,
             "items": array(ref("EntitySummary")), "next_cursor": NULLABLE_STRING,
             "next": NULLABLE_STRING}),
        "EntityEdge": obj({**edge_core, "other": ref("EntitySummary")}),
        "EntityDetail": obj(
            {"id": STRING, "kind": node_kind, "subtype": STRING, "name_zh": STRING,
             "name_en": STRING, "aliases": array(STRING), "properties": {"type": "object"},
             "provenance": array(ref("Provenance")),
             "edges": obj({"out": array(ref("EntityEdge")), "in": array(ref("EntityEdge"))}),
             "edges_total": obj({"out": COUNT, "in": COUNT}), "edges_truncated": BOOLEAN}),
        "Neighbourhood": obj(
            {"center": STRING, "radius": COUNT,
             "nodes": array({"allOf": [ref("EntitySummary"), obj({"distance": COUNT})]}),
             "edges": array(obj({"from": STRING, "to": STRING, **edge_core})),
             "truncated": BOOLEAN}),
        "Hop": obj({**hop_core, "alternatives": array(obj({**edge_core,
                                                            "direction": DIRECTION}))}),
        "Path": obj({"length": COUNT, "nodes": array(STRING), "hops": array(ref("Hop"))}),
        "Paths": obj(
            {"source": ref("EntitySummary"), "target": ref("EntitySummary"),
             "mode": {"enum": ["shortest", "k_shortest", "all_simple"]},
             "filters": {"type": "object"}, "count": COUNT, "truncated": BOOLEAN,
             "paths": array(ref("Path")), "nodes": ref("EntitiesById")},
            {"k": COUNT, "timed_out": BOOLEAN}),
        "BackingChain": obj(
            {"pattern": STRING, "inferred": BOOLEAN, "length": COUNT, "nodes": array(STRING),
             "hops": array(ref("Hop")), "collective_of": array(STRING),
             "explanation": obj({"zh": STRING, "en": STRING})}),
        "Backing": obj(
            {"fund": NULLABLE_STRING, "lab": NULLABLE_STRING, "max_length": COUNT,
             "total_pairs": COUNT, "truncated": BOOLEAN, "timed_out": BOOLEAN,
             "pairs": array(obj(
                 {"fund": ref("EntitySummary"), "lab": ref("EntitySummary"),
                  "inferred": BOOLEAN, "best_length": COUNT, "patterns": array(STRING),
                  "chains_total": COUNT, "chains": array(ref("BackingChain"))})),
             "nodes": ref("EntitiesById")}),
        "Centrality": obj(
            {"measure": STRING, "kind": {"anyOf": [node_kind, {"type": "null"}]},
             "top": COUNT, "method": {"type": "object"}, "count": COUNT,
             "items": array({"allOf": [ref("EntitySummary"),
                                       obj({"rank": COUNT, "score": NUMBER})]}),
             "distribution": obj({"count": COUNT, "min": NULLABLE_NUMBER,
                                  "max": NULLABLE_NUMBER, "mean": NULLABLE_NUMBER,
                                  "p50": NULLABLE_NUMBER, "p90": NULLABLE_NUMBER,
                                  "p99": NULLABLE_NUMBER})},
            {"version": NULLABLE_STRING}),
        # time (queries/changes.py): observations, a metric's series, changes between dates
        "Observation": obj(
            {"id": STRING, "metric": STRING, "period_start": INTEGER, "period_end": INTEGER,
             "status": STRING,
             "provenance": array(obj({"source": STRING, "quote": STRING,
                                      "source_year": {"type": ["integer", "null"]}}))},
            {"value": NUMBER, "change_factor": NUMBER, "bound": STRING, "unit": STRING,
             "period_zh": STRING}),
        "Metric": obj({"name": STRING, "zh": STRING, "en": STRING, "unit": STRING}),
        "MetricSeries": obj({"subject": ref("EntitySummary"), "metric": ref("Metric"),
                             "as_of": {"type": ["integer", "null"]},
                             "observations": array(ref("Observation"))}),
        "Change": obj(
            {"change": {"enum": ["appeared", "not_reported_since", "status_changed",
                                 "metric"]},
             "record": {"enum": ["node", "edge", "metric"]}},
            {"node": ref("EntitySummary"), "from": ref("EntitySummary"), "rel": relation,
             "to": ref("EntitySummary"), "properties": {"type": "object"},
             "provenance": array(ref("Provenance")),
             "status_before": NULLABLE_STRING, "status_after": NULLABLE_STRING,
             "provenance_before": array(ref("Provenance")),
             "subject": ref("EntitySummary"), "metric": ref("Metric"),
             "before": array(ref("Observation")), "after": array(ref("Observation"))}),
        "Changes": obj(
            {"from": INTEGER, "to": INTEGER, "counts": COUNTS, "total": COUNT,
             "offset": COUNT, "limit": COUNT, "items": array(ref("Change"))},
            {"entity": STRING}),  # the id of the entity asked about, when one was
        # the ecosystem analytics (queries/ecosystem): every edge of the evidence quoted
        "EvidenceEdge": obj({"from": STRING, "to": STRING, "rel": relation,
                             "provenance": array(ref("Provenance"))},
                            {"properties": {"type": "object"}}),
        "Communities": obj(
            {"method": {"type": "object"}, "modularity": NUMBER, "total": COUNT,
             "communities": array(obj(
                 {"rank": COUNT, "size": COUNT, "modularity": NUMBER,
                  "label": obj({"zh": STRING, "en": STRING}),
                  "top_members": array(ref("EntitySummary")), "kinds": array(NAMED_COUNT),
                  "spheres": array(NAMED_COUNT), "sectors": array(ref("EntitySummary"))},
                 {"internal_edges": COUNT}))},
            {"version": NULLABLE_STRING, "membership": COUNTS}),
        "Brokers": obj(
            {"method": {"type": "object"}, "sort": STRING, "total": COUNT,
             "items": array({"allOf": [ref("EntitySummary"), obj(
                 {"rank": COUNT, "sphere": STRING, "degree": COUNT,
                  "constraint": NULLABLE_NUMBER, "effective_size": NULLABLE_NUMBER,
                  "brokerage": COUNTS, "brokerage_total": COUNT,
                  "evidence": array(obj({"role": STRING, "spheres": array(STRING),
                                         "nodes": array(STRING),
                                         "edges": array(array(ref("EvidenceEdge")))}))})]})},
            {"version": NULLABLE_STRING, "sphere": NULLABLE_STRING,
             "kind": NULLABLE_STRING}),
        "Helix": obj(
            {"method": {"type": "object"}, "helices": array(STRING), "actors": COUNTS,
             "linkage": array(obj({"spheres": array(STRING), "ties": COUNT})),
             "synergy": ref("Synergy"), "sectors_total": COUNT,
             "sectors": array({"allOf": [ref("EntitySummary"), obj(
                 {"synergy": ref("Synergy")}, {"members": COUNT, "actors": COUNTS,
                                                "linkage": array({"type": "object"})})]})},
            {"version": NULLABLE_STRING}),
        "Synergy": obj({"T_uig": NULLABLE_NUMBER, "units": COUNT, "profiles": COUNTS}),
        "Gaps": obj(
            {"kinds": array(STRING), "totals": COUNTS,
             "items": array(obj({"gap": STRING, "subject": ref("EntitySummary"),
                                 "missing": obj({"zh": STRING, "en": STRING}),
                                 "exists": array(ref("EvidenceEdge")),
                                 "exists_total": COUNT,
                                 "planned": array(ref("EvidenceEdge"))}))},
            {"version": NULLABLE_STRING}),
        "Suggestions": obj(
            {"task": STRING, "method": STRING, "node": NULLABLE_STRING,
             "suggestion": {"const": True}, "total": COUNT,
             "items": array(obj(
                 {"rank": COUNT, "from": ref("EntitySummary"), "to": ref("EntitySummary"),
                  "scores": {"type": "object", "additionalProperties": NUMBER},
                  "stated": {"const": False},
                  "explanation": obj({"zh": STRING, "en": STRING}),
                  "evidence": array(obj({"nodes": array(STRING),
                                         "edges": array(array(ref("EvidenceEdge")))},
                                        {"names": array(STRING)}))}))},
            {"version": NULLABLE_STRING, "cap": {"type": "object"}}),
        "Statistics": obj(
            {"nodes": COUNT, "edges": COUNT, "nodes_by_kind": COUNTS,
             "edges_by_relation": COUNTS},
            {"version": NULLABLE_STRING, "quotes_by_source": COUNTS, "isolated_nodes": COUNT,
             "weakly_connected_components": COUNT}),
        "Health": obj({"status": {"enum": ["ok", "degraded"]}, "backend": STRING,
                       "nodes": COUNT, "edges": COUNT},
                      {"version": STRING, "reason": STRING, "sync": {"type": "object"}}),
        "Schema": obj({"version": INTEGER, "node_kinds": array({"type": "object"}),
                       "relation_kinds": array({"type": "object"}),
                       "units": {"type": "object"}}),
        "OpenApiDocument": obj({"openapi": STRING, "info": {"type": "object"},
                                "paths": {"type": "object"}}),
        "HtmlPage": STRING,
        "RdfDocument": STRING,  # Turtle, N-Triples, RDF/XML, TriG, N-Quads text
        "JsonLdDocument": {"type": ["object", "array"]},
        # SPARQL 1.1 Query Results JSON: SELECT (head.vars, results.bindings) or ASK (boolean)
        "SparqlResults": obj(
            {"head": obj({}, {"vars": array(STRING), "link": array(STRING)})},
            {"results": obj({"bindings": array({"type": "object", "additionalProperties": obj(
                {"type": {"enum": ["uri", "literal", "bnode", "triple"]}, "value": {}},
                {"datatype": STRING, "xml:lang": STRING})})}),
             "boolean": BOOLEAN}),
        "SparqlResultsText": STRING,  # SPARQL results XML, CSV or TSV
        "SparqlExamples": obj({"items": array(obj(
            {"name": STRING, "description": STRING, "query": STRING}))}),
    }
