// How are two entities connected? The shortest paths between them.
//
// `from_name` and `to_name` are ids or exact zh/en names or aliases (case does not matter):
// change them in the first line. Relationships are followed in either direction, at most 6
// of them; the derived Source-MENTIONS links are left out, so the paths are the facts the
// sources state. The Graph view draws the paths; the Table view lists them hop by hop, with
// the quote behind each hop.
WITH '长兴基金' AS from_name, '长光卫星' AS to_name
MATCH (a:Entity)
WHERE toLower(from_name) IN [s IN [a.id, a.name_zh, a.name_en] + coalesce(a.aliases, []) | toLower(s)]
MATCH (b:Entity)
WHERE toLower(to_name) IN [s IN [b.id, b.name_zh, b.name_en] + coalesce(b.aliases, []) | toLower(s)]
MATCH p = allShortestPaths((a)-[*..6]-(b))
WHERE none(r IN relationships(p) WHERE type(r) = 'MENTIONS')
WITH DISTINCT [n IN nodes(p) | n.id] AS ids, p
RETURN p, length(p) AS hops,
       reduce(path = nodes(p)[0].name_zh, i IN range(0, length(p) - 1) |
              path + CASE WHEN startNode(relationships(p)[i]) = nodes(p)[i]
                          THEN ' -' + type(relationships(p)[i]) + '-> '
                          ELSE ' <-' + type(relationships(p)[i]) + '- ' END
                   + nodes(p)[i + 1].name_zh) AS path,
       ids,
       [r IN relationships(p) | r.prov_quotes[0]] AS quotes
ORDER BY ids;
