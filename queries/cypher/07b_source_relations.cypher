// Which relationships does one source article state?
//
// `source` (first line) is the Source node's id (source-000, source-001) or its file name.
// One row per relationship whose provenance cites the article, with the quote from it.
WITH 'source-000' AS source
MATCH (s:Source)
WHERE s.id = source OR s.file = source
MATCH (a:Entity)-[r]->(b:Entity)
WHERE type(r) <> 'MENTIONS' AND s.file IN r.prov_sources
RETURN a.id AS from_id, a.name_zh AS from_name, type(r) AS relation, b.id AS to_id,
       b.name_zh AS to_name,
       [i IN range(0, size(r.prov_sources) - 1) WHERE r.prov_sources[i] = s.file
        | r.prov_quotes[i]] AS quotes
ORDER BY relation, from_id, to_id;
