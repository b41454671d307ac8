"""The JSON-LD @context of the innograph vocabulary, generated from the schema.

The same context is embedded in every JSON-LD export, shipped as ``graph/rdf/context.jsonld``
and served by the API, so clients can read the exports or write their own JSON-LD with short
keys (``nameZh``, ``funds``, ``value``). Regenerate the shipped file after a schema
change with ``python -m graph.rdf.context`` (a test fails while it is stale).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from graph.rdf.namespaces import (
    RDF_OBJECT,
    RDF_PREDICATE,
    RDF_STATEMENT,
    RDF_SUBJECT,
    RDFS_LABEL,
    XSD_INTEGER,
    Vocabulary,
    vocabulary,
)

CONTEXT_PATH = Path(__file__).with_name("context.jsonld")
PROVENANCE_CLASSES = ("derivation", "document")  # types, not properties: no coercion
ID = "@id"


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def context_terms(vocab: Vocabulary) -> dict[str, tuple[str, str | None]]:
    """IRI -> (term, coercion); coercion is ``"@id"``, a datatype IRI, ``"@zh"``/``"@en"``
    (a language) or None (plain strings, or values that carry their own tag)."""
    entries: list[tuple[str, str | None]] = [
        *((iri, None) for iri in vocab.class_iri.values()),
        (RDF_STATEMENT, None),
        *((iri, ID) for iri in vocab.relation_iri.values()),
        *((t.iri, t.datatype or (f"@{t.language}" if t.language else None))
          for t in (*vocab.node_terms.values(), *vocab.edge_terms.values())),
        (vocab.quote_iri, None), (RDFS_LABEL, None),
        (RDF_SUBJECT, ID), (RDF_PREDICATE, ID), (RDF_OBJECT, ID),
        *((iri, XSD_INTEGER if key == "position" else None if key in PROVENANCE_CLASSES
           else ID) for key, iri in vocab.provenance.items()),
    ]
    terms: dict[str, tuple[str, str | None]] = {}
    used: dict[str, str] = {}
    for iri, coercion in entries:
        name = _local(iri)
        if used.setdefault(name, iri) != iri:
            raise ValueError(f"JSON-LD context: term {name!r} would stand for both "
                             f"<{used[name]}> and <{iri}>")
        terms[iri] = (name, coercion)
    return terms


def context_document(vocab: Vocabulary | None = None) -> dict[str, Any]:
    """``{"@context": {...}}``: the namespace prefixes, then one term per vocabulary IRI."""
    vocab = vocab or vocabulary()
    context: dict[str, Any] = dict(vocab.prefixes)
    for iri, (name, coercion) in context_terms(vocab).items():
        curie = vocab.curie(iri) or iri
        if coercion is None:
            context[name] = curie
        elif coercion.startswith("@") and coercion != ID:
            context[name] = {ID: curie, "@language": coercion[1:]}
        else:
            context[name] = {ID: curie, "@type": coercion if coercion == ID
                             else vocab.curie(coercion) or coercion}
    return {"@context": context}


def context_text(vocab: Vocabulary | None = None) -> str:
    return json.dumps(context_document(vocab), ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    CONTEXT_PATH.write_text(context_text(), encoding="utf-8")
    print(f"wrote {CONTEXT_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
