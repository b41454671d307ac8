// Which companies and labs are in each park?
//
// A company or lab is "in" a park when the park HOSTS it, or when it is LOCATED_IN or PART_OF
// the park. One row per park and kind (Company, Lab), with how each one is tied to the park.

MATCH (park:Park)-[r:HOSTS|LOCATED_IN|PART_OF]-(x)
WHERE (x:Company OR x:Lab)
  AND ((type(r) = 'HOSTS' AND startNode(r) = park)
       OR (type(r) IN ['LOCATED_IN', 'PART_OF'] AND startNode(r) = x))
WITH park, x, collect(type(r)) AS ties ORDER BY x.id
RETURN park.id AS park_id, park.name_zh AS park, park.name_en AS park_en, x.kind AS kind,
       count(x) AS members,
       collect(x.name_zh) AS names,
       collect(x.id) AS ids,
       collect(x.name_zh + ' (' + reduce(s = '', t IN ties | s + CASE s WHEN '' THEN '' ELSE ', ' END + t) + ')') AS how
ORDER BY park_id, kind;
