// Which actors broker between contacts who are not tied to each other?
//
// Burt's structural holes as `innograph sync` writes them (the API's /brokers): the
// `effective_size` of an actor is its number of non-redundant contacts (contacts minus the
// ties among them per contact), its `constraint` how much its contacts are tied to each
// other (low = many structural holes). Computed on the undirected network of entities
// without sectors, source articles, figures and planned relations. The `top` actors by
// effective size, of the sphere `in_sphere` only if given ('government', 'university',
// 'industry', 'finance' or 'intermediary'; graph/spheres.yaml), with their community.
WITH 10 AS top, null AS in_sphere
MATCH (n:Entity)
WHERE n.effective_size IS NOT NULL AND (in_sphere IS NULL OR n.sphere = in_sphere)
WITH top, n ORDER BY n.effective_size DESC, n.id
WITH top, collect(n) AS ranked
UNWIND ranked[0..top] AS n
RETURN n.id AS id, n.kind AS kind, n.name_zh AS name, n.sphere AS sphere,
       n.effective_size AS effective_size, n.constraint AS constraint,
       n.community_name AS community
ORDER BY effective_size DESC, id;
