// Find entities whose id, name or alias contains a word.
//
// A plain case-insensitive substring search for `q` (first line), ranked as the API's
// /entities?q= ranks: exact names first, then prefix matches, then other partial matches.
WITH '长春' AS q
MATCH (n:Entity)
WITH q, n, [s IN [n.id, n.name_zh, n.name_en] + coalesce(n.aliases, []) | toLower(s)] AS names
WITH n, CASE WHEN toLower(q) IN names THEN 0
             WHEN any(s IN names WHERE s STARTS WITH toLower(q)) THEN 1
             WHEN any(s IN names WHERE s CONTAINS toLower(q)) THEN 2 END AS rank
WHERE rank IS NOT NULL
RETURN n.id AS id, n.kind AS kind, n.name_zh AS name, n.name_en AS name_en,
       CASE rank WHEN 0 THEN 'exact' WHEN 1 THEN 'prefix' ELSE 'partial' END AS match
ORDER BY rank, id;
