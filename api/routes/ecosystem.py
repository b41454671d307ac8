"""Ecosystem analytics: communities, brokers, the triple helix, gaps and suggested links.

Thin views over ``queries.analytics_service`` (the methods say how each is computed); every
answer is kept per graph version and arguments, and ``as_of`` answers over the graph as
reported up to that date (as every time-aware operation).
"""

from __future__ import annotations

from flask import Response, jsonify

from api.limits import MAX_ITEMS, MAX_TOP
from api.operations import ApiBlueprint, Operation
from api.params import AS_OF, Param
from api.querying import query
from graph.spheres import load_spheres
from queries.ecosystem.brokers import SORTS
from queries.ecosystem.gaps import GAP_KINDS
from queries.ecosystem.scoring import METHODS
from queries.ecosystem.suggest import TASKS

bp = ApiBlueprint("ecosystem", __name__)
MAX_EVIDENCE = 20

LIMIT = Param("limit", "integer", "At most this many items.", default=20, minimum=1,
              maximum=MAX_ITEMS)


def evidence(default: int) -> Param:
    return Param("evidence", "integer", "At most this many pieces of evidence (relations "
                 "with their quotes) per item.", default=default, minimum=0,
                 maximum=MAX_EVIDENCE)


def spheres() -> tuple[str, ...]:
    return tuple(load_spheres().spheres)


def actor_kinds() -> tuple[str, ...]:
    """The node kinds some of whose nodes have a sphere (as brokers checks its ``kind``)."""
    mapping = load_spheres()
    return tuple(sorted({k for k, s in mapping.defaults.items() if s}
                        | {k for (k, _), s in mapping.overrides.items() if s}))


@bp.operation(Operation(
    "get_communities", "/communities", "Communities of the ecosystem",
    "Leiden communities (modularity, seeded: the same answer every time) of the undirected "
    "network of entities without sectors, largest first, each named by its top members (by "
    "degree inside the community) with its dominant kinds, spheres and sectors, size and "
    "share of the modularity.",
    "analytics", "Communities",
    params=(LIMIT, Param("top", "integer", "Members named per community.", default=5,
                         minimum=1, maximum=MAX_TOP),
            Param("seed", "integer", "Seed of the Leiden runs.", default=42, minimum=0,
                  maximum=999_999_999),
            Param("membership", "boolean", "Add every node's community rank.",
                  default=False),
            AS_OF),
    examples=("/api/v1/communities?limit=5", "/api/v1/communities?as_of=2022")))
def get_communities(limit: int, top: int, seed: int, membership: bool,
                    as_of: str | None) -> Response:
    return jsonify(query("communities", limit=limit, top=top, seed=seed,
                         membership=membership, as_of=as_of))


@bp.operation(Operation(
    "get_brokers", "/brokers", "Brokers between spheres",
    "Actors ranked by Gould-Fernandez brokerage (open two-paths they broker, by role: "
    "coordinator, gatekeeper, representative, itinerant, liaison between spheres), Burt's "
    "effective size or constraint, each with up to `evidence` two-paths and their quotes.",
    "analytics", "Brokers",
    params=(Param("sort", "choice", "Rank by.", default="brokerage", choices=lambda: SORTS),
            Param("sphere", "choice", "Only actors of this sphere.", choices=spheres),
            Param("kind", "choice", "Only actors of this node kind.", choices=actor_kinds),
            LIMIT, evidence(3), AS_OF),
    examples=("/api/v1/brokers?limit=5", "/api/v1/brokers?sort=constraint&sphere=university")))
def get_brokers(sort: str, sphere: str | None, kind: str | None, limit: int, evidence: int,
                as_of: str | None) -> Response:
    return jsonify(query("brokers", sort=sort, sphere=sphere, kind=kind, limit=limit,
                         evidence=evidence, as_of=as_of))


@bp.operation(Operation(
    "get_helix", "/helix", "Triple helix linkage and synergy",
    "Actors per sphere (graph/spheres.yaml), ties between spheres, and Leydesdorff's "
    "mutual information T(uig) between university, industry and government (negative: "
    "synergy), overall and for up to `limit` sectors (most synergy first).",
    "analytics", "Helix",
    params=(Param("limit", "integer", "At most this many sectors.", default=50, minimum=1,
                  maximum=MAX_ITEMS), AS_OF),
    examples=("/api/v1/helix", "/api/v1/helix?as_of=2022")))
def get_helix(limit: int, as_of: str | None) -> Response:
    return jsonify(query("helix", limit=limit, as_of=as_of))


@bp.operation(Operation(
    "get_gaps", "/gaps", "Gaps in the ecosystem",
    "Sectors with labs but no fund, funds whose sectors have no lab, labs with no company "
    "link (transfer gaps) and parks hosting no lab; each item says what is missing and what "
    "exists (relations with their quotes).",
    "analytics", "Gaps",
    params=(Param("kind", "choice", "Only gaps of this kind.", choices=lambda: GAP_KINDS),
            Param("limit", "integer", "At most this many items of each kind.", default=100,
                  minimum=1, maximum=MAX_ITEMS),
            evidence(5), AS_OF),
    examples=("/api/v1/gaps", "/api/v1/gaps?kind=unfunded_sector")))
def get_gaps(kind: str | None, limit: int, evidence: int, as_of: str | None) -> Response:
    return jsonify(query("gaps", kind=kind, limit=limit, evidence=evidence, as_of=as_of))


@bp.operation(Operation(
    "get_suggestions", "/suggestions", "Suggested links (not facts)",
    "Which funds could back which labs (`fund_lab`), which labs could work with which "
    "companies (`lab_company`): pairs no relation joins, ranked by an explainable score "
    "(Adamic-Adar, common neighbours, shared sectors, paths). Every answer is marked "
    "`\"suggestion\": true` and every item `\"stated\": false`, with the relations and quotes "
    "it rests on. Nothing here is stored.",
    "analytics", "Suggestions",
    params=(Param("task", "choice", "Which links.", default="fund_lab",
                  choices=lambda: tuple(TASKS)),
            Param("method", "choice", "Rank by.", default="adamic_adar",
                  choices=lambda: METHODS, arg="score"),
            Param("node", "text", "Only suggestions from or to this entity: id or exact "
                  "zh/en name or alias."),
            LIMIT, evidence(3), AS_OF),
    problems=(404,),
    examples=("/api/v1/suggestions?task=fund_lab",
              "/api/v1/suggestions?task=lab_company&method=common_neighbours")))
def get_suggestions(task: str, score: str, node: str | None, limit: int, evidence: int,
                    as_of: str | None) -> Response:
    return jsonify(query("suggest", task=task, score=score, node=node, limit=limit,
                         evidence=evidence, as_of=as_of))
