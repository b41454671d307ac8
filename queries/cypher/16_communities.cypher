// Which communities does the ecosystem form, who is in each and of which kinds?
//
// `innograph sync` writes each entity's Leiden community (`community`: its rank, 1 = the
// largest; the API's /communities with resolution 1 and seed 42) and the community's name
// (`community_name`: its three members with most ties inside it). Sectors, source articles
// and figures belong to none: a sector is what members work in, not a member. The first
// `communities` communities, each with its size, its kinds (members per kind, most
// first) and its `shown` best-connected members (most relationships first).
WITH 10 AS communities, 5 AS shown
MATCH (n:Entity)
WHERE n.community <= communities
WITH shown, n ORDER BY n.degree DESC, n.id
WITH shown, n.community AS community, n.community_name AS name, collect(n) AS members
UNWIND members AS m
WITH shown, community, name, members, m.kind AS kind, count(*) AS members_of_kind
ORDER BY members_of_kind DESC, kind
WITH shown, community, name, members, collect(kind + ': ' + toString(members_of_kind)) AS kinds
RETURN community, name, size(members) AS size, kinds,
       [m IN members[0..shown] | m.name_zh] AS top_members
ORDER BY community;
