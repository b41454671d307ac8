// How many ties link each pair of spheres (the triple-helix linkage)?
//
// Every actor has the `sphere` `innograph sync` writes (graph/spheres.yaml: government,
// university and research, industry, and finance and intermediaries apart). Counted as the
// API's /helix counts them: pairs of actors joined by at least one relationship, in either
// direction, that is stated (not `MENTIONS` or a figure's `HAS_OBSERVATION`) and not planned
// (a plan is not yet a link). With a `sector` (id or exact name, e.g. '光电信息') only the
// actors that work in or target that sector count.
WITH null AS sector
MATCH (a:Entity)-[r]-(b:Entity)
WHERE a.sphere IS NOT NULL AND b.sphere IS NOT NULL AND a.id < b.id
  AND NOT type(r) IN ['MENTIONS', 'HAS_OBSERVATION'] AND coalesce(r.status, '') <> 'planned'
  AND (sector IS NULL OR all(x IN [a, b] WHERE EXISTS {
        MATCH (x)-[w:WORKS_IN_SECTOR|TARGETS_SECTOR]->(s:Sector)
        WHERE coalesce(w.status, '') <> 'planned'
          AND toLower(sector) IN [s.id, toLower(s.name_zh), toLower(s.name_en)] }))
WITH DISTINCT a, b
WITH CASE WHEN a.sphere <= b.sphere THEN [a.sphere, b.sphere] ELSE [b.sphere, a.sphere] END
     AS pair
RETURN pair[0] AS sphere_a, pair[1] AS sphere_b, count(*) AS ties
ORDER BY ties DESC, sphere_a, sphere_b;
