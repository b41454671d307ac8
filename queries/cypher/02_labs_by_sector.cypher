// Which labs work in which sector?
//
// One row per sector that has at least one lab working in it (Lab -WORKS_IN_SECTOR-> Sector),
// sectors with the most labs first, with the quote that places each lab in the sector.

MATCH (lab:Lab)-[w:WORKS_IN_SECTOR]->(s:Sector)
WITH s, lab, w ORDER BY lab.id
RETURN s.id AS sector_id, s.name_zh AS sector, s.name_en AS sector_en,
       count(lab) AS labs,
       collect(lab.name_zh) AS lab_names,
       collect(lab.id) AS lab_ids,
       collect(w.prov_quotes[0]) AS quotes
ORDER BY labs DESC, sector_id;
