// The events: when, who held them, and what they established or issued.
//
// Events carry a date (a Neo4j DATE) or only a year. HELD links the organiser to the event;
// ESTABLISHED and ISSUED link the event to the bodies, funds, programmes or plans it set up
// or published.

MATCH (e:Event)
RETURN e.id AS id, e.name_zh AS event, e.subtype AS subtype,
       e.date AS date, coalesce(e.year, e.date.year) AS year,
       COLLECT { MATCH (h)-[:HELD]->(e) RETURN h.name_zh ORDER BY h.id } AS held_by,
       COLLECT { MATCH (e)-[:ESTABLISHED]->(x) RETURN x.name_zh ORDER BY x.id } AS established,
       COLLECT { MATCH (e)-[:ISSUED]->(x) RETURN x.name_zh ORDER BY x.id } AS issued
ORDER BY year, date, id;
