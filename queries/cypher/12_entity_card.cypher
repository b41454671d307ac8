// Everything one entity is: its properties and every quote about it.
//
// `name` (first line) is an id or an exact zh/en name or alias. One row, its card; the
// quotes read `source file: quote`. 12b_entity_relations.cypher draws and lists its
// relationships.
WITH '长光卫星' AS name
MATCH (n:Entity)
WHERE toLower(name) IN [s IN [n.id, n.name_zh, n.name_en] + coalesce(n.aliases, []) | toLower(s)]
RETURN n.id AS id, n.kind AS kind, n.subtype AS subtype, n.name_zh AS name,
       n.name_en AS name_en, coalesce(n.aliases, []) AS aliases,
       [i IN range(0, size(n.prov_sources) - 1) | n.prov_sources[i] + ': ' + n.prov_quotes[i]]
         AS quotes,
       n.pagerank AS pagerank, n.degree AS degree;
