"""RDF for innograph: the ontology, SHACL shapes, a JSON-LD context and streaming export.

Everything is derived from ``graph/schema.yaml`` (see ``graph.rdf.namespaces.Vocabulary``);
the instance IRI scheme and the provenance model are documented in ``docs/rdf.md``.
"""
