"""RDF lists with blank nodes labelled by build order, for the ontology and the shapes: rdflib's
``Collection`` labels its cells at random, so two runs would differ byte for byte."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rdflib import RDF, BNode, Graph, URIRef


def rdf_list(g: Graph, items: Iterable, bnode: Callable[[], BNode]) -> BNode | URIRef:
    """Add an RDF list of ``items`` to ``g``; its head (``rdf:nil`` when empty)."""
    items = list(items)
    if not items:
        return RDF.nil
    head = cell = bnode()
    for i, item in enumerate(items):
        g.add((cell, RDF.first, item))
        rest = bnode() if i < len(items) - 1 else RDF.nil
        g.add((cell, RDF.rest, rest))
        cell = rest
    return head
