// What appeared in the sources after a given year?
//
// The entities no source published in or before `after` (first line) mentions: their first
// report is a later article (Source.published_year; data/sources/ has one article of 2022 and
// one of 2025). First reported is not founded: the 2022 article may simply not name something
// older, so `since` gives the year the entity was set up, announced or took place where the
// data has one. Figures (Observation nodes) are left out: 13_metric_over_time.cypher follows
// them. Each row carries the first quote from its earliest article.
WITH 2023 AS after
MATCH (src:Source)-[:MENTIONS]->(n:Entity)
WHERE NOT n:Observation
WITH after, n, min(src.published_year) AS first_reported
WHERE first_reported > after
MATCH (src:Source {published_year: first_reported})-[:MENTIONS]->(n)
WITH n, first_reported, collect(src.file) AS files
RETURN n.kind AS kind, n.id AS id, n.name_zh AS name, n.name_en AS name_en, first_reported,
       // the first of these it has (looked up by name: no warning while no node has one)
       coalesce([k IN ['established_year', 'announced_year', 'year'] WHERE n[k] IS NOT NULL
                 | n[k]][0], n.date.year) AS since,
       [i IN range(0, size(n.prov_sources) - 1) WHERE n.prov_sources[i] IN files
        | n.prov_quotes[i]][0] AS quote
ORDER BY kind, id;
