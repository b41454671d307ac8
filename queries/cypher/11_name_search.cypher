// Find entities by name: full-text search over zh/en names and aliases.
//
// Uses the full-text index `entity_names` (Lucene), ranked by its score. `q` (first line) is
// searched as a phrase, so Chinese characters must appear together in that order; for fuzzy
// or prefix matches write Lucene syntax into the call instead, e.g. 'jilin~' or 'chang*'.
// 11b_name_contains.cypher is the plain substring search.
WITH '长春' AS q
CALL db.index.fulltext.queryNodes('entity_names', '"' + q + '"') YIELD node, score
RETURN node.id AS id, node.kind AS kind, node.name_zh AS name, node.name_en AS name_en,
       coalesce(node.aliases, []) AS aliases, score
ORDER BY score DESC, id
LIMIT 100;
