// Which entities are the strongest brokers?
//
// The ten highest betweenness scores that `innograph sync` wrote (normalised shortest-path
// betweenness on the undirected graph): the entities that lie on most shortest paths
// between others, i.e. that connect otherwise distant parts of the ecosystem.
MATCH (n:Entity)
WHERE n.betweenness > 0
RETURN n.id AS id, n.kind AS kind, n.name_zh AS name, n.betweenness AS betweenness,
       n.degree AS degree
ORDER BY n.betweenness DESC, n.id
LIMIT 10;
