"""Mentions of known entities: every name and alias (official full names, short forms),
simplified, in one Aho-Corasick automaton; leftmost-longest matches that do not overlap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ahocorasick
import networkx as nx

from loaders.ingest.sentences import clause_end, clause_start
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


_FIELD_BEFORE = ("聚焦", "围绕", "投向", "面向", "在", "涉及", "覆盖", "涵盖", "包括", "如", "瞄准")


def plausible(mentions: list[Mention], simplified: str, gazetteer: Gazetteer,
              common: Callable[[str], bool], suffixes: frozenset[str],
              sector_heads: tuple[str, ...]) -> list[Mention]:
    """The mentions that name the entity, not a word that happens to be its name:

    - a known sector whose name is a common word (新动力, 数字化: ``common`` says so) is named
      only in a field context: an item of a list (、/和/及 beside it), a sector head later in
      its clause (…等领域, …产业) or a field verb before it (聚焦, 围绕, 在…);
    - a generic name (实验室, 中心: one of the rules' suffixes) right after words that make a
      longer suffix with it (重点 + 实验室) is part of another entity's name, not the group
      the graph calls 实验室."""
    out = []
    for m in mentions:
        name = simplified[m.start:m.end]
        kinds = {gazetteer.entities[i].kind for i in m.ids}
        if name in suffixes and any(
                simplified[m.start - n:m.end] in suffixes for n in range(1, min(5, m.start + 1))):
            continue
        if kinds == {"Sector"} and common(name) and not name.endswith(sector_heads) and \
                not _field_context(simplified, m.start, m.end, sector_heads):
            continue
        out.append(m)
    return out


def _field_context(text: str, start: int, end: int, heads: tuple[str, ...]) -> bool:
    before = text[max(0, start - 1):start]
    after = text[end:end + 1]
    if before in ("、", "和", "及", "与") or after in ("、", "和", "及", "与", "等"):
        return True
    return any(h in text[end:clause_end(text, end)] for h in heads) or any(
        w in text[clause_start(text, start):start] for w in _FIELD_BEFORE)
