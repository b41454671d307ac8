// How did one figure of one entity change over time?
//
// Every observation of `metric` about `subject` (first line), oldest period first. `subject`
// is an id or an exact zh/en name or alias; `metric` is a metric key (e.g.
// high_tech_enterprises), its Chinese name or one of its search words (高新技术企业, 高企).
// A row is a level (`value`, as of the end of `period`) or a relative change (`change_factor`
// over `period`: 2 means doubled), with its status (actual, estimate, target, plan), the year
// the source reporting it was published and the quote that states it. Levels and changes are
// separate statements: the graph does not compute one from the other.
WITH '长春' AS subject, '高新技术企业' AS metric
MATCH (s:Entity)-[:HAS_OBSERVATION]->(o:Observation)
WHERE toLower(subject) IN [x IN [s.id, s.name_zh, s.name_en] + coalesce(s.aliases, []) | toLower(x)]
  AND toLower(metric) IN [x IN [o.metric] + coalesce(o.aliases, []) | toLower(x)]
RETURN s.name_zh AS subject, o.metric AS metric,
       CASE WHEN o.period_start = o.period_end THEN toString(o.period_end)
            ELSE toString(o.period_start) + '-' + toString(o.period_end) END AS period,
       o.period_zh AS period_zh, o.value AS value, o.bound AS bound,
       o.change_factor AS change_factor, o.unit AS unit, o.status AS status,
       COLLECT { MATCH (src:Source) WHERE src.file IN o.prov_sources
                 RETURN DISTINCT src.published_year AS year ORDER BY year } AS reported_in,
       o.prov_quotes AS quotes, o.id AS id
ORDER BY o.period_end, o.period_start, id;
