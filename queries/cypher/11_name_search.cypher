// Find entities by name: full-text search over zh/en names and aliases.
//
// The first statement uses the full-text index `entity_names` (Lucene): the query below is a
// phrase, so Chinese characters must appear together in that order; use e.g. 'jilin~' for
// fuzzy or 'chang*' for prefix matches. The second is a plain case-insensitive substring
// search, ranked as the API's /entities?q= ranks: exact names first, then prefix matches,
// then other partial matches.
:param q => '长春'

CALL db.index.fulltext.queryNodes('entity_names', '"' + $q + '"') YIELD node, score
RETURN node.id AS id, node.kind AS kind, node.name_zh AS name, node.name_en AS name_en,
       coalesce(node.aliases, []) AS aliases, score
ORDER BY score DESC, id
LIMIT 100;

MATCH (n:Entity)
WITH n, [s IN [n.id, n.name_zh, n.name_en] + coalesce(n.aliases, []) | toLower(s)] AS names
WITH n, CASE WHEN toLower($q) IN names THEN 0
             WHEN any(s IN names WHERE s STARTS WITH toLower($q)) THEN 1
             WHEN any(s IN names WHERE s CONTAINS toLower($q)) THEN 2 END AS rank
WHERE rank IS NOT NULL
RETURN n.id AS id, n.kind AS kind, n.name_zh AS name, n.name_en AS name_en,
       CASE rank WHEN 0 THEN 'exact' WHEN 1 THEN 'prefix' ELSE 'partial' END AS match
ORDER BY rank, id;
