// What does a programme support, fund or focus on?
//
// Everything a Program points to with SUPPORTS, FUNDS or TARGETS_SECTOR, with the quote
// that states it. `program` (first line) is an id or an exact zh/en name or alias.
WITH '揭榜挂帅' AS program
MATCH (p:Program)
WHERE toLower(program) IN [s IN [p.id, p.name_zh, p.name_en] + coalesce(p.aliases, []) | toLower(s)]
MATCH (p)-[r:SUPPORTS|FUNDS|TARGETS_SECTOR]->(x)
RETURN p.name_zh AS program, type(r) AS relation, x.kind AS kind, x.id AS id,
       x.name_zh AS name, x.name_en AS name_en, r.prov_quotes AS quotes
ORDER BY relation, kind, id;
