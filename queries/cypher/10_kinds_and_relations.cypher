// What is in the graph? Entities by kind and relationships by type, with counts.
//
// Counts leave out the derived Source-MENTIONS links and the InnographMeta bookkeeping node,
// so they match `innograph stats` and the API's /statistics.

MATCH (n:Entity)
RETURN n.kind AS kind, count(*) AS entities
ORDER BY entities DESC, kind;

MATCH (:Entity)-[r]->(:Entity)
WHERE type(r) <> 'MENTIONS'
RETURN type(r) AS relation, count(*) AS relationships
ORDER BY relationships DESC, relation;
