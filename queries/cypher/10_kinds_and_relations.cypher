// What is in the graph? Entities by kind and relationships by type, with counts.
//
// One table: the `entities` rows count nodes per kind, the `relationships` rows count
// relationships per type, each largest first. Counts leave out the derived Source-MENTIONS
// links and the InnographMeta bookkeeping node, so they match `innograph stats` and the
// API's /statistics.
CALL () {
  MATCH (n:Entity)
  RETURN 'entities' AS what, n.kind AS name, count(*) AS count
  UNION ALL
  MATCH (:Entity)-[r]->(:Entity)
  WHERE type(r) <> 'MENTIONS'
  RETURN 'relationships' AS what, type(r) AS name, count(*) AS count
}
RETURN what, name, count
ORDER BY what, count DESC, name;
