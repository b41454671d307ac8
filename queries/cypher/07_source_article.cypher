// Everything one source article says.
//
// `source` is the Source node's id (source-000, source-001) or its file name. The first
// statement lists the entities the article mentions (MENTIONS, derived from provenance) with
// the article's own quotes about each; the second lists the relationships it states, each
// with the quote from this article.
:param source => 'source-000'

MATCH (s:Source)
WHERE s.id = $source OR s.file = $source
MATCH (s)-[:MENTIONS]->(n)
RETURN n.kind AS kind, n.id AS id, n.name_zh AS name, n.name_en AS name_en,
       [i IN range(0, size(n.prov_sources) - 1) WHERE n.prov_sources[i] = s.file
        | n.prov_quotes[i]] AS quotes
ORDER BY kind, id;

MATCH (s:Source)
WHERE s.id = $source OR s.file = $source
MATCH (a:Entity)-[r]->(b:Entity)
WHERE type(r) <> 'MENTIONS' AND s.file IN r.prov_sources
RETURN a.id AS from_id, a.name_zh AS from_name, type(r) AS relation, b.id AS to_id,
       b.name_zh AS to_name,
       [i IN range(0, size(r.prov_sources) - 1) WHERE r.prov_sources[i] = s.file
        | r.prov_quotes[i]] AS quotes
ORDER BY relation, from_id, to_id;
