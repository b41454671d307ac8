// Which labs have no link to any company (the technology-transfer gap)?
//
// A lab with no stated relationship, in either direction, to any entity of `partner_kind`
// ('Company': no stated route for its results into industry, the API's /gaps
// transfer_gap; 'Fund': labs no fund is linked to). A planned relationship does not close
// the gap (a plan is not a result) but is listed in `planned`, since it says the gap is
// meant to close. `links` counts the lab's stated relationships with other entities (what
// exists); `quote` is the first quote about the lab. A gap is an absence in the source
// articles, not proof of an absence in the city.
WITH 'Company' AS partner_kind
MATCH (lab:Lab)
WHERE NOT EXISTS {
  MATCH (lab)-[r]-(p:Entity)
  WHERE partner_kind IN labels(p) AND NOT type(r) IN ['MENTIONS', 'HAS_OBSERVATION']
    AND coalesce(r.status, '') <> 'planned' }
RETURN lab.id AS id, lab.name_zh AS name, lab.sphere AS sphere,
       lab.community_name AS community,
       COUNT { MATCH (lab)-[r]-(o:Entity)
               WHERE NOT o:Source AND NOT o:Observation
                 AND NOT type(r) IN ['MENTIONS', 'HAS_OBSERVATION'] } AS links,
       [(lab)-[r]-(p:Entity) WHERE partner_kind IN labels(p) AND r.status = 'planned'
        | p.name_zh] AS planned,
       lab.prov_quotes[0] AS quote
ORDER BY id;
