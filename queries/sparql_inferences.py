"""Materialised inferences of the query layer, written into the SPARQL store: the named graph
``<https://innograph.org/ontology/backing>`` (schema.yaml ``ontology.backing``).

Which funds back which labs is a search (``queries.backing``): chains of up to four hops
through programmes, institutions, companies, parks, a shared sector or a member of an
institution group, ranked and marked inferred. Re-deriving it in SPARQL took 0.6 s for the
busiest fund at 100k nodes and left out the longer chains. So when the store is built for a
graph version, the query layer answers it once, as ``/api/v1/backing?fund=`` does (the same
function, every fund in turn, every pair of each, the chains it shows per pair), and its
answers go into the store as data; the example ``queries/sparql/funds-backing-labs.rq`` is a
lookup in them. One ``ig:BackingChain`` per chain:

    <{base}backing/{fund}.{lab}.{digest}> a ig:BackingChain ;
        ig:backingFund <{base}id/{fund}> ; ig:backingLab <{base}id/{lab}> ;
        ig:backingPattern "via_sector" ; ig:inferred true ; ig:chainLength 2 ;
        ig:chainRank 7 ; ig:pairRank 5 ;     # its and its pair's place in the fund's answer
        ig:hop1 <{base}statement/{fund}.targetsSector.{sector}> ; ig:hopQuote1 "…"@zh ;
        ig:hop2 <{base}statement/{lab}.worksInSector.{sector}> ; ig:hopQuote2 "…"@zh .

``ig:hop{n}`` is the rdf:Statement the export gives the edge at step ``n`` (its provenance,
properties and ``ig:collectiveOf`` are there), and ``ig:hopQuote{n}`` that statement's first
quote, carried here: joined to the provenance entry inside an OPTIONAL (hops 2 to 4),
Oxigraph evaluated the join on its own over every chain (7.3 s at 100k nodes). The chain's
IRI is named by its content (the digest of its statements), so it stays the same across
graph versions that keep the chain. Not in the export: the graph is the query layer's
inference, rebuilt with each version; a pair's chains beyond those the API shows (five) are
not listed.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterator
from typing import Any, NamedTuple

import networkx as nx

from graph.rdf.namespaces import (
    RDF_TYPE,
    XSD,
    XSD_INTEGER,
    BackingTerms,
    IriScheme,
    Vocabulary,
    nt_term,
    resolve_base,
    text_literal,
    vocabulary,
)
from queries import backing as backing_queries
from queries.traverse import ids_of_kind
from queries.views import FORWARD

Json = dict[str, Any]
ALL_PAIRS = 10**9  # every pair of a fund: the API's limit is a page size, not a cut-off
XSD_BOOLEAN = XSD + "boolean"


class InferenceError(RuntimeError):
    pass


def backing_graph(vocab: Vocabulary | None = None) -> str:
    """The IRI of the named graph of the backing chains."""
    return (vocab or vocabulary()).backing.graph


def check_terms(terms: BackingTerms) -> None:
    """The schema's terms fit the query layer: every pattern it names, and enough hops."""
    if set(terms.patterns) != set(backing_queries.PATTERNS):
        raise InferenceError("schema.yaml ontology.backing.patterns "
                             f"{sorted(terms.patterns)} differ from queries.backing.PATTERNS "
                             f"{sorted(backing_queries.PATTERNS)}")
    if len(terms.hops) < backing_queries.DEFAULT_MAX_LENGTH:
        raise InferenceError(f"schema.yaml ontology.backing.max_hops ({len(terms.hops)}) is "
                             f"below the chains' {backing_queries.DEFAULT_MAX_LENGTH} hops")


def fund_answers(g: nx.MultiDiGraph) -> Iterator[Json]:
    """The query layer's backing answer for each fund of ``g``, as ``/api/v1/backing?fund=``
    gives it (default hops and chains per pair) but with every pair and no time limit: the
    store is built in the background, and a partial answer would be kept as if whole."""
    for fund in ids_of_kind(g, "Fund"):
        answer = backing_queries.backing(g, fund=fund, limit=ALL_PAIRS, timeout=math.inf)
        if answer["timed_out"] or answer["truncated"]:  # neither can happen; never write part
            raise InferenceError(f"backing for {fund} is incomplete")
        yield answer


def _integer(n: int) -> str:
    return nt_term((str(n), XSD_INTEGER, None))


class _Writer:
    """The chains of the query layer's answers as compact rows, and those as N-Quads."""

    def __init__(self, vocab: Vocabulary, iris: IriScheme):
        self.terms, self.iris = vocab.backing, iris
        self.relation_term = vocab.relation_term
        self.graph = f"<{self.terms.graph}>"
        self.p = {name: f"<{iri}>" for name, iri in self.terms.fields.items()}
        self.hops = [f"<{iri}>" for iri in self.terms.hops]
        self.quotes = [f"<{iri}>" for iri in self.terms.hop_quotes]
        self.type_line = f"<{RDF_TYPE}> <{self.terms.chain_class}> {self.graph} .\n"
        self.true, self.false = (nt_term(("true", XSD_BOOLEAN, None)),
                                 nt_term(("false", XSD_BOOLEAN, None)))

    def statement_key(self, hop: Json) -> str:
        src, dst = ((hop["from"], hop["to"]) if hop["direction"] == FORWARD
                    else (hop["to"], hop["from"]))
        return self.iris.statement_key(src, self.relation_term[hop["rel"]], dst)

    def rows(self, answer: Json) -> list[_Chain]:
        """One fund's answer as rows: what the graph states of each chain, no more (the
        answers' explanations and summaries are dropped as each fund is done)."""
        rows, rank = [], 0
        for pair_rank, pair in enumerate(answer["pairs"], start=1):
            fund, lab = pair["fund"]["id"], pair["lab"]["id"]
            for chain in pair["chains"]:
                rank += 1
                rows.append(_Chain(fund, lab, chain["pattern"], chain["inferred"],
                                   chain["length"], rank, pair_rank,
                                   tuple(self.statement_key(hop) for hop in chain["hops"]),
                                   tuple(hop["provenance"][0]["quote"]
                                         for hop in chain["hops"])))
        return rows

    def chain(self, row: _Chain) -> str:
        digest = hashlib.blake2b(" ".join(row.keys).encode(), digest_size=6).hexdigest()
        subject = f"<{self.iris.base}backing/{row.fund}.{row.lab}.{digest}> "
        g, p = self.graph, self.p
        lines = [subject + self.type_line,
                 f"{subject}{p['fund']} <{self.iris.node(row.fund)}> {g} .\n",
                 f"{subject}{p['lab']} <{self.iris.node(row.lab)}> {g} .\n",
                 f'{subject}{p["pattern"]} "{row.pattern}" {g} .\n',
                 f"{subject}{p['inferred']} {self.true if row.inferred else self.false} {g} .\n",
                 f"{subject}{p['length']} {_integer(row.length)} {g} .\n",
                 f"{subject}{p['rank']} {_integer(row.rank)} {g} .\n",
                 f"{subject}{p['pair_rank']} {_integer(row.pair_rank)} "
                 f"{g} .\n"]
        for n, (key, quote) in enumerate(zip(row.keys, row.quotes, strict=True)):
            lines.append(f"{subject}{self.hops[n]} <{self.iris.base}statement/{key}> {g} .\n")
            lines.append(f"{subject}{self.quotes[n]} {nt_term(text_literal(quote))} {g} .\n")
        return "".join(lines)


class _Chain(NamedTuple):
    fund: str
    lab: str
    pattern: str
    inferred: bool
    length: int
    rank: int  # in the fund's answer
    pair_rank: int
    keys: tuple[str, ...]  # the hops' statement keys
    quotes: tuple[str, ...]  # their statements' first quotes


class BackingInferences:
    """The backing chains of ``g`` as N-Quads text: iterate for the chunks, one per fund
    (its chains in the named graph ``backing_graph()``), searched as they are read; each
    fund's answer is reduced to a row per chain at once (``search_seconds``: the query
    layer's search and that reduction)."""

    def __init__(self, g: nx.MultiDiGraph, *, base: str | None = None,
                 vocab: Vocabulary | None = None):
        vocab = vocab or vocabulary()
        check_terms(vocab.backing)
        self._g = g
        self._writer = _Writer(vocab, IriScheme(resolve_base(base, vocab.schema)))
        self.search_seconds = 0.0

    def _search(self) -> Iterator[list[_Chain]]:
        answers = fund_answers(self._g)
        while True:
            started = time.perf_counter()
            answer = next(answers, None)
            if answer is None:
                return
            rows = self._writer.rows(answer)
            self.search_seconds += time.perf_counter() - started
            yield rows

    def __iter__(self) -> Iterator[str]:
        for rows in self._search():
            if rows:
                yield "".join(map(self._writer.chain, rows))


def backing_nquads(g: nx.MultiDiGraph, *, base: str | None = None,
                   vocab: Vocabulary | None = None) -> BackingInferences:
    """The backing chains of ``g`` as N-Quads chunks (``BackingInferences``)."""
    return BackingInferences(g, base=base, vocab=vocab)
