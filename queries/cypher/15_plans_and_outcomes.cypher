// Which relations were plans or under way, and what did later sources report?
//
// Relations with a status (planned: 将, 计划, 力争; ongoing: 继续, under way) or a target year.
// A relation keeps the status of its latest source (data/LEFT_OUT.md), so `first_reported` and
// `last_reported` (publication years of the sources citing it) show how it moved: planned in
// 2022 and ongoing in 2025 means the later article reports the plan under way. `outcome` says
// it in words; "not reported since" means no later article states the relation at all (the
// later articles checked are in `silent_later`). The quotes read `source file: quote`.
MATCH (a:Entity)-[r]->(b:Entity)
WHERE r.status IN ['planned', 'ongoing'] OR r.target_year IS NOT NULL
MATCH (src:Source)
WHERE src.file IN r.prov_sources
WITH a, r, b, min(src.published_year) AS first_reported, max(src.published_year) AS last_reported
RETURN a.name_zh AS from_name, type(r) AS relation, b.name_zh AS to_name, r.status AS status,
       r.target_year AS target_year, first_reported, last_reported,
       CASE WHEN r.status = 'done' THEN 'done, reported ' + toString(last_reported)
            WHEN r.status = 'ongoing' AND last_reported > first_reported
              THEN 'under way, reported ' + toString(last_reported)
            WHEN r.status = 'ongoing' THEN 'under way'
            WHEN last_reported > first_reported
              THEN 'still planned, reported ' + toString(last_reported)
            ELSE 'not reported since ' + toString(first_reported) END AS outcome,
       COLLECT { MATCH (later:Source) WHERE later.published_year > last_reported
                 RETURN later.file ORDER BY later.file } AS silent_later,
       [i IN range(0, size(r.prov_sources) - 1) | r.prov_sources[i] + ': ' + r.prov_quotes[i]]
         AS quotes,
       a.id AS from_id, b.id AS to_id
ORDER BY first_reported, relation, from_id, to_id;
