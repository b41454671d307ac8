// The funds and subsidy schemes: scale, amounts, stage and investment focus.
//
// Figures are in CNY as the sources give them (scale_min_cny: the text says "over" this
// amount). Also which funding programmes each fund is part of, and who operates or supports
// it, with the quotes the figures come from.

MATCH (f:Fund)
RETURN f.id AS id, f.name_zh AS fund, f.name_en AS fund_en, f.subtype AS subtype,
       f.scale_min_cny AS scale_min_cny, f.amount_cny AS amount_cny,
       f.max_amount_per_project_per_year_cny AS max_per_project_per_year_cny,
       f.stage AS stage, f.investment_focus_zh AS investment_focus,
       COLLECT { MATCH (f)-[:PART_OF]->(p) RETURN p.name_zh ORDER BY p.id } AS part_of,
       COLLECT { MATCH (o)-[:OPERATES|SUPPORTS]->(f) RETURN o.name_zh ORDER BY o.id } AS backed_by,
       f.prov_quotes AS quotes
ORDER BY coalesce(f.scale_min_cny, f.amount_cny, 0) DESC, id;
