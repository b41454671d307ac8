"""The embedded graph: a networkx MultiDiGraph built from validated records.

Node keys are node ids; node attributes are ``kind``, ``subtype``, ``name_zh``, ``name_en``,
``aliases`` (list), ``provenance`` (list of ``{source, quote}``) and the typed properties.
Edge keys are relation kinds (so one edge per (from, relation, to)); edge attributes are
``rel``, ``provenance`` and the typed properties. ``g.graph["version"]`` is a content hash, so
caches (centrality, search) know when the graph changed.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import networkx as nx
import orjson

from graph.chinese import to_simplified
from graph.records import EdgeRecord, NodeRecord, Provenance

CORE_NODE_ATTRS = ("kind", "subtype", "name_zh", "name_en", "aliases", "provenance")
CORE_EDGE_ATTRS = ("rel", "provenance")


class NodeNotFound(LookupError):
    """No node has this id or name (as of ``as_of``, when the graph was read as of a year
    and the entity exists only in later sources)."""

    def __init__(self, query: str, as_of: int | None = None):
        message = f"no entity with id or name {query!r}"
        if as_of is not None:
            message = (f"{query!r} is not reported by any source published up to {as_of} "
                       "(as_of); later sources report it")
        super().__init__(message)
        self.query = query
        self.as_of = as_of


class AmbiguousName(LookupError):
    """A name matches several nodes; ``candidates`` lists their ids."""

    def __init__(self, query: str, candidates: list[str]):
        super().__init__(f"name {query!r} matches {len(candidates)} entities: "
                         + ", ".join(candidates[:10]))
        self.query = query
        self.candidates = candidates


def new_graph() -> nx.MultiDiGraph:
    return nx.MultiDiGraph(version=None)


def node_attributes(record: NodeRecord) -> dict[str, Any]:
    """The attributes a node record has in the graph."""
    return {"kind": record.kind, "subtype": record.subtype, "name_zh": record.name_zh,
            "name_en": record.name_en, "aliases": list(record.aliases),
            "provenance": [{"source": p.source, "quote": p.quote} for p in record.provenance],
            **record.properties}


def edge_attributes(record: EdgeRecord) -> dict[str, Any]:
    """The attributes an edge record has in the graph (the provenance dicts of
    ``Provenance.to_dict``, without the calls)."""
    return {"rel": record.relation,
            "provenance": [{"source": p.source, "quote": p.quote} for p in record.provenance],
            **record.properties}


def add_node_record(g: nx.MultiDiGraph, record: NodeRecord) -> bool:
    """Add a node; False (and nothing changed) if the id is taken."""
    return put_node(g, record.id, node_attributes(record))


def add_edge_record(g: nx.MultiDiGraph, record: EdgeRecord) -> bool:
    """Add an edge (and its end nodes, bare, if missing); False (and nothing changed) if the
    same (from, rel, to) exists."""
    return put_edge(g, record.source_id, record.target_id, record.relation,
                    edge_attributes(record))


def put_node(g: nx.MultiDiGraph, node_id: str, attributes: dict[str, Any]) -> bool:
    """Add a node with its ``node_attributes``; False (and nothing changed) if the id is
    taken."""
    return put_nodes(g, ((node_id, attributes),))


def put_edge(g: nx.MultiDiGraph, u: str, v: str, key: str, attributes: dict[str, Any]) -> bool:
    """Add the edge ``u -key-> v`` with its ``edge_attributes`` (and its end nodes, bare, if
    missing); False (and nothing changed) if it exists."""
    if u not in g._node or v not in g._node:
        g.add_nodes_from((u, v))
    return put_edges(g, ((u, v, key, attributes),))


def put_nodes(g: nx.MultiDiGraph, rows: Iterable[tuple[str, dict[str, Any]]]) -> bool:
    """Add (id, ``node_attributes``) rows in order; False (and the rows from it on not
    added) at an id already taken."""
    # networkx's own dicts (the documented MultiDiGraph layout, all plain dicts): half the
    # time of add_node with keyword attributes, which counts when loading millions of records.
    node, succ, pred = g._node, g._succ, g._pred
    added = True
    for node_id, attributes in rows:
        if node_id in node:
            added = False
            break
        succ[node_id], pred[node_id], node[node_id] = {}, {}, attributes
    _changed(g)
    return added


def put_edges(g: nx.MultiDiGraph,
              rows: Iterable[tuple[str, str, str, dict[str, Any]]]) -> bool:
    """Add (from, to, key, ``edge_attributes``) rows in order, between nodes of the graph;
    False (and the rows from it on not added) at an edge that exists."""
    succ, pred = g._succ, g._pred
    added = True
    for u, v, key, attributes in rows:
        out = succ[u]
        keys = out.get(v)
        if keys is None:
            keys = out[v] = pred[v][u] = {}  # one key dict, seen from both ends
        elif key in keys:
            added = False
            break
        keys[key] = attributes
    _changed(g)
    return added


def _changed(g: nx.MultiDiGraph) -> None:
    """What networkx does on every change: drop the results it cached for the graph."""
    cache = getattr(g, "__networkx_cache__", None)
    if cache:
        cache.clear()


def build_graph(nodes: Iterable[NodeRecord], edges: Iterable[EdgeRecord]) -> nx.MultiDiGraph:
    """A graph from clean records (duplicates are ignored: loaders report them first)."""
    g = new_graph()
    for node in nodes:
        add_node_record(g, node)
    for edge in edges:
        add_edge_record(g, edge)
    stamp_version(g)
    return g


def stamp_version(g: nx.MultiDiGraph) -> str:
    """Set and return ``g.graph['version']``: a hash of every node and edge with its
    attributes, whatever order they were loaded in (see ``item_digest``)."""
    total = 0
    for node_id, attrs in g._node.items():
        total += _digest_int(node_item(node_id, attrs))
    for u, v, key, attrs in iter_edges(g):
        total += _digest_int(edge_item(u, v, key, attrs))
    # A sum of the items' digests: independent of order, one pass, no sort of millions of
    # items. (Not meant to resist a forger; it tells a cache or a sync that data changed.)
    digest = hashlib.blake2b((total % _MODULUS).to_bytes(16, "big"), digest_size=12)
    g.graph["version"] = digest.hexdigest()
    g.graph.pop("_search_index", None)
    return g.graph["version"]


def node_item(node_id: str, attributes: dict[str, Any]) -> list:
    """What the version hash reads of a node."""
    return ["node", node_id, attributes]


def edge_item(u: str, v: str, key: str, attributes: dict[str, Any]) -> list:
    """What the version hash reads of an edge."""
    return ["edge", u, key, v, attributes]


def canonical_json(value: object) -> bytes:
    """The documented encoding every content hash reads: JSON, UTF-8, object keys sorted,
    no spaces (orjson). Unlike marshal or pickle bytes it does not change between Python
    versions, and the order a loader set attributes in does not count."""
    return orjson.dumps(value, default=str, option=orjson.OPT_SORT_KEYS)


def item_digest(item: object) -> bytes:
    """A 16-byte BLAKE2b digest of an item's ``canonical_json``."""
    return hashlib.blake2b(canonical_json(item), digest_size=16).digest()


_MODULUS = 1 << 128


def _digest_int(item: object) -> int:
    return int.from_bytes(item_digest(item), "big")


# -- reading -------------------------------------------------------------------------------

def iter_edges(g: nx.MultiDiGraph) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """Every edge as (from, to, relation, attributes), in ``g.edges`` order, read from
    networkx's adjacency dicts: about twice as fast as ``g.edges(keys=True, data=True)``,
    which counts when a sink walks millions of edges."""
    for u, targets in g._succ.items():
        for v, keyed in targets.items():
            for key, attrs in keyed.items():
                yield u, v, key, attrs


def node_properties(attrs: dict[str, Any]) -> dict[str, Any]:
    """The typed (non-core) properties of a node's attribute dict."""
    return {k: v for k, v in attrs.items() if k not in CORE_NODE_ATTRS}


def edge_properties(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attrs.items() if k not in CORE_EDGE_ATTRS}


def node_to_record(g: nx.MultiDiGraph, node_id: str) -> NodeRecord:
    a = g.nodes[node_id]
    return NodeRecord(node_id, a["kind"], a["subtype"], a["name_zh"], a["name_en"],
                      tuple(Provenance(**p) for p in a["provenance"]), tuple(a["aliases"]),
                      node_properties(a))


def iter_node_records(g: nx.MultiDiGraph) -> Iterator[NodeRecord]:
    for node_id in g.nodes:
        yield node_to_record(g, node_id)


def iter_edge_records(g: nx.MultiDiGraph) -> Iterator[EdgeRecord]:
    for u, v, key, a in g.edges(keys=True, data=True):
        yield EdgeRecord(u, key, v, tuple(Provenance(**p) for p in a["provenance"]),
                         edge_properties(a))


def node_view(g: nx.MultiDiGraph, node_id: str) -> dict[str, Any]:
    """A node as a JSON-ready dict: id, core fields, ``properties``."""
    a = g.nodes[node_id]
    return {"id": node_id, "kind": a["kind"], "subtype": a["subtype"], "name_zh": a["name_zh"],
            "name_en": a["name_en"], "aliases": list(a["aliases"]),
            "properties": node_properties(a), "provenance": list(a["provenance"])}


@dataclass(frozen=True)
class _SearchIndex:
    """Casefolded names of every node, in one string so a substring scan runs in C."""

    ids: list[str]
    kinds: list[str]
    names: list[tuple[str, ...]]
    blob: str  # node i's names joined by "\x00", nodes joined by "\x01"
    starts: list[int]  # offset of node i in blob
    exact: dict[str, list[str]]  # casefolded name -> ids, sorted


def _search_index(g: nx.MultiDiGraph) -> _SearchIndex:
    index = g.graph.get("_search_index")
    if index is None:
        ids, kinds, names, starts, exact = [], [], [], [], {}
        offset = 0
        for node_id, a in g.nodes(data=True):
            folded = tuple(dict.fromkeys(
                n.casefold() for n in (node_id, a["name_zh"], a["name_en"], *a["aliases"])))
            ids.append(node_id)
            kinds.append(a["kind"])
            names.append(folded)
            starts.append(offset)
            offset += sum(len(n) for n in folded) + len(folded)  # names + separators
            for name in folded:
                exact.setdefault(name, []).append(node_id)
        blob = "\x01".join("\x00".join(n) for n in names)
        index = _SearchIndex(ids, kinds, names, blob, starts,
                             {k: sorted(v) for k, v in exact.items()})
        g.graph["_search_index"] = index
    return index


_SEPARATORS = "\x00\x01"  # of the search index's blob: never part of a search


def search_phrases(text: str) -> list[str]:
    """What a search text is looked for as: casefolded, stripped, with the search index's
    separators and runs of spaces dropped; then, if it differs, its simplified Chinese form
    (長春光機所 finds 长春光机所: the graph's names are simplified). The text itself stays a
    phrase of its own, since OpenCC also converts some characters that simplified names use
    (乾安 would become 干安). Empty for a text of spaces alone."""
    wanted = " ".join("".join(ch for ch in text.casefold() if ch not in _SEPARATORS).split())
    if not wanted:
        return []
    simplified = to_simplified(wanted)
    return [wanted] if simplified == wanted else [wanted, simplified]


def phrase_terms(phrase: str) -> list[str]:
    """The words of a phrase, longest first (the first is the one scanned for)."""
    return sorted(dict.fromkeys(phrase.split()), key=lambda t: (-len(t), t))


#: How well a node's names match a phrase, best first: a name is the phrase, a name starts
#: with it, a name contains it, or (a phrase of several words) each word is in some name.
MATCH_CLASSES = ("exact", "prefix", "partial", "words")


def match_class(names: Iterable[str], phrase: str) -> int | None:
    """The index in ``MATCH_CLASSES`` of how ``names`` (casefolded) match ``phrase``, or
    None."""
    names = tuple(names)
    if phrase in names:
        return 0
    if any(n.startswith(phrase) for n in names):
        return 1
    if any(phrase in n for n in names):
        return 2
    terms = phrase.split()
    if len(terms) > 1 and all(any(t in n for n in names) for t in terms):
        return 3
    return None


def find_nodes(g: nx.MultiDiGraph, text: str, kinds: Iterable[str] | None = None,
               limit: int | None = 20) -> list[str]:
    """Ids of nodes whose id, zh/en name or an alias matches ``text`` (case-insensitive, in
    traditional or simplified Chinese: ``search_phrases``): exact matches first, then
    prefix matches, partial matches, and for several words nodes whose names hold each word
    (``MATCH_CLASSES``); ties are broken by id, so results are stable and the same in every
    backend."""
    index = _search_index(g)
    kind_set = set(kinds) if kinds else None
    best: dict[str, int] = {}
    for phrase in search_phrases(text):
        scanned = phrase_terms(phrase)[0]
        position = index.blob.find(scanned)
        while position != -1:
            i = bisect_right(index.starts, position) - 1
            if kind_set is None or index.kinds[i] in kind_set:
                found = match_class(index.names[i], phrase)
                if found is not None and found < best.get(index.ids[i], len(MATCH_CLASSES)):
                    best[index.ids[i]] = found
            if i + 1 == len(index.starts):
                break
            position = index.blob.find(scanned, index.starts[i + 1])
    ids = sorted(best, key=lambda n: (best[n], n))
    return ids if limit is None else ids[:limit]


def resolve_node(g: nx.MultiDiGraph, query: str) -> str:
    """The id of the node named by ``query``: an id, or a zh/en name or alias matched exactly
    (in traditional or simplified Chinese)."""
    query = query.strip()
    if query in g:
        return query
    exact = _search_index(g).exact
    found = sorted({n for phrase in search_phrases(query) for n in exact.get(phrase, [])})
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise AmbiguousName(query, found)
    raise NodeNotFound(query)


def statistics(g: nx.MultiDiGraph) -> dict[str, Any]:
    """Counts by node kind and relation kind, provenance coverage and connectivity."""
    nodes_by_kind = Counter(kind for _, kind in g.nodes(data="kind"))
    edges_by_relation = Counter(key for _, _, key in g.edges(keys=True))
    sources = Counter()
    for _, prov in g.nodes(data="provenance"):
        sources.update(p["source"] for p in prov)
    for _, _, prov in g.edges(data="provenance"):
        sources.update(p["source"] for p in prov)
    components = nx.number_weakly_connected_components(g) if g.number_of_nodes() else 0
    return {
        "version": g.graph.get("version"),
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "nodes_by_kind": dict(sorted(nodes_by_kind.items(), key=lambda kv: (-kv[1], kv[0]))),
        "edges_by_relation": dict(sorted(edges_by_relation.items(),
                                         key=lambda kv: (-kv[1], kv[0]))),
        "quotes_by_source": dict(sorted(sources.items())),
        "isolated_nodes": nx.number_of_isolates(g),
        "weakly_connected_components": components,
    }
