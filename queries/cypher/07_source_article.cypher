// Which entities does one source article mention, and what does it say about each?
//
// `source` (first line) is the Source node's id (source-000, source-001) or its file name.
// One row per entity the article mentions (MENTIONS, derived from provenance) with the
// article's own quotes about it; 07b_source_relations.cypher lists the relationships it
// states.
WITH 'source-000' AS source
MATCH (s:Source)
WHERE s.id = source OR s.file = source
MATCH (s)-[:MENTIONS]->(n)
RETURN n.kind AS kind, n.id AS id, n.name_zh AS name, n.name_en AS name_en,
       [i IN range(0, size(n.prov_sources) - 1) WHERE n.prov_sources[i] = s.file
        | n.prov_quotes[i]] AS quotes
ORDER BY kind, id;
