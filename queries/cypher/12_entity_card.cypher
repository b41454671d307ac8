// Everything about one entity: its properties, its quotes, and every relationship with the
// quote that states it.
//
// `name` is an id or an exact zh/en name or alias. The first statement draws the entity and
// its neighbours; the second is its card; the third lists its relationships.
:param name => '长光卫星'

MATCH (n:Entity)
WHERE toLower($name) IN [s IN [n.id, n.name_zh, n.name_en] + coalesce(n.aliases, []) | toLower(s)]
MATCH p = (n)-[r]-(:Entity)
WHERE type(r) <> 'MENTIONS'
RETURN p;

MATCH (n:Entity)
WHERE toLower($name) IN [s IN [n.id, n.name_zh, n.name_en] + coalesce(n.aliases, []) | toLower(s)]
RETURN n.id AS id, n.kind AS kind, n.subtype AS subtype, n.name_zh AS name,
       n.name_en AS name_en, coalesce(n.aliases, []) AS aliases,
       [i IN range(0, size(n.prov_sources) - 1) | n.prov_sources[i] + ': ' + n.prov_quotes[i]]
         AS quotes,
       n.pagerank AS pagerank, n.degree AS degree;

MATCH (n:Entity)
WHERE toLower($name) IN [s IN [n.id, n.name_zh, n.name_en] + coalesce(n.aliases, []) | toLower(s)]
MATCH (n)-[r]-(other:Entity)
WHERE type(r) <> 'MENTIONS'
RETURN CASE WHEN startNode(r) = n THEN 'out' ELSE 'in' END AS direction, type(r) AS relation,
       other.id AS other_id, other.kind AS other_kind, other.name_zh AS other_name,
       r.prov_quotes AS quotes
ORDER BY direction DESC, relation, other_id;
