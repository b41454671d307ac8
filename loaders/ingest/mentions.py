"""Mentions of known entities: every name and alias (official full names, short forms),
simplified, in one Aho-Corasick automaton; leftmost-longest matches that do not overlap."""

from __future__ import annotations

from dataclasses import dataclass

import ahocorasick
import networkx as nx

from loaders.ingest.text import to_simplified

SKIP_KINDS = ("Observation", "Source")  # figures and documents are not named in the text
MIN_NAME = 2


@dataclass(frozen=True)
class Known:
    id: str
    kind: str
    name_zh: str
    name_en: str
    names: tuple[str, ...]  # simplified name_zh and aliases


@dataclass(frozen=True)
class Mention:
    start: int  # compact offsets
    end: int
    text: str  # as written
    ids: tuple[str, ...]  # the entities this name belongs to, best first
    by: str  # "name" or "alias"


class Gazetteer:
    """The known entities of a graph and an automaton over their names."""

    def __init__(self, graph: nx.MultiDiGraph):
        self.entities: dict[str, Known] = {}
        owners: dict[str, list[tuple[int, str]]] = {}  # name -> [(rank, id)]; name_zh ranks 0
        for node_id, data in graph.nodes(data=True):
            if data.get("kind") in SKIP_KINDS:
                continue
            names = [to_simplified(data["name_zh"])]
            names += [to_simplified(a) for a in data.get("aliases") or ()]
            names = [n for n in dict.fromkeys("".join(n.split()) for n in names)
                     if len(n) >= MIN_NAME]
            self.entities[node_id] = Known(node_id, data["kind"], data["name_zh"],
                                           data["name_en"], tuple(names))
            for rank, name in enumerate(names):
                owners.setdefault(name, []).append((min(rank, 1), node_id))
        self.owners = {name: tuple(i for _, i in sorted(ids)) for name, ids in owners.items()}
        self.names = list(self.owners)  # the choices of every fuzzy lookup, listed once
        self.automaton = ahocorasick.Automaton()
        for name in self.owners:
            self.automaton.add_word(name, name)
        if self.owners:
            self.automaton.make_automaton()

    def find(self, simplified: str, written: str) -> list[Mention]:
        """Leftmost-longest, non-overlapping matches in a compact simplified text."""
        if not self.owners:
            return []
        hits = sorted(((end - len(name) + 1, end + 1, name)
                       for end, name in self.automaton.iter(simplified)),
                      key=lambda h: (h[0], -(h[1] - h[0])))
        out: list[Mention] = []
        covered = 0
        for start, end, name in hits:
            if start < covered:
                continue
            # a longer match starting inside this one wins over it (长春 in 长春光机所 is
            # taken whole; 市政府 inside 长春市政府 is not split)
            ids = self.owners[name]
            by = "name" if any(self.entities[i].names[0] == name for i in ids) else "alias"
            out.append(Mention(start, end, written[start:end], ids, by))
            covered = end
        return out


_BUILT: dict[int, tuple[nx.MultiDiGraph, int, Gazetteer]] = {}


def gazetteer_for(graph: nx.MultiDiGraph) -> Gazetteer:
    """The gazetteer of ``graph``, built once per graph and its names: a batch of articles
    against one graph converts and indexes the names once, not once per article (that was
    a third of an article's time). A graph whose names changed gets a new one."""
    names = hash(tuple((n, d.get("name_zh"), tuple(d.get("aliases") or ()))
                       for n, d in graph.nodes(data=True) if d.get("kind") not in SKIP_KINDS))
    hit = _BUILT.get(id(graph))
    if hit is None or hit[0] is not graph or hit[1] != names:
        hit = _BUILT[id(graph)] = (graph, names, Gazetteer(graph))
    return hit[2]
