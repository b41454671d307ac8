// Every relationship of one entity, with the quote that states it.
//
// `name` (first line) is an id or an exact zh/en name or alias. The Graph view draws the
// entity with its neighbours (double-click a node to expand it); the Table view lists one
// row per relationship, outgoing first.
WITH '长光卫星' AS name
MATCH (n:Entity)
WHERE toLower(name) IN [s IN [n.id, n.name_zh, n.name_en] + coalesce(n.aliases, []) | toLower(s)]
MATCH p = (n)-[r]-(other:Entity)
WHERE type(r) <> 'MENTIONS'
RETURN p, CASE WHEN startNode(r) = n THEN 'out' ELSE 'in' END AS direction,
       type(r) AS relation, other.id AS other_id, other.kind AS other_kind,
       other.name_zh AS other_name, r.prov_quotes AS quotes
ORDER BY direction DESC, relation, other_id;
