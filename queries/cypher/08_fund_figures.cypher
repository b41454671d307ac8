// The funds and subsidy schemes: their figures, stage and investment focus.
//
// Figures are dated observations (Fund -HAS_OBSERVATION-> Observation), one row per fund and
// figure: the metric, its value in `unit` (bound at_least: the text says "over" it), the
// years it refers to (`period`; period_zh as written), its status (actual, estimate, target,
// plan) and the quote that states it. A fund the sources give no figure for has one row with
// empty figure columns. Also which programmes each fund is part of and who operates or
// supports it.
MATCH (f:Fund)
OPTIONAL MATCH (f)-[:HAS_OBSERVATION]->(o:Observation)
RETURN f.id AS id, f.name_zh AS fund, f.subtype AS subtype,
       o.metric AS metric, o.value AS value, o.bound AS bound, o.unit AS unit,
       CASE WHEN o.period_start = o.period_end THEN toString(o.period_end)
            ELSE toString(o.period_start) + '-' + toString(o.period_end) END AS period,
       o.period_zh AS period_zh, o.status AS status, o.prov_quotes AS quotes,
       f.stage AS stage, f.investment_focus_zh AS investment_focus,
       COLLECT { MATCH (f)-[:PART_OF]->(p) RETURN p.name_zh ORDER BY p.id } AS part_of,
       COLLECT { MATCH (b)-[:OPERATES|SUPPORTS]->(f) RETURN b.name_zh ORDER BY b.id } AS backed_by
ORDER BY id, metric, o.period_end;
