// Which entities are the most central, by PageRank?
//
// `innograph sync` writes centrality scores onto every node (see docs/neo4j.md):
//   degree, in_degree, out_degree  relationships at the node (parallel ones each count)
//   pagerank                       importance flowing along the stored edge direction
//   betweenness                    how often the node lies on shortest paths (a broker)
//   closeness, harmonic            how near the node is to all others
//   eigenvector                    connected to well-connected nodes
// The 20 highest PageRank scores; 05b_brokers.cypher ranks by betweenness.
MATCH (n:Entity)
WHERE n.pagerank IS NOT NULL
RETURN n.id AS id, n.kind AS kind, n.name_zh AS name, n.name_en AS name_en,
       n.pagerank AS pagerank, n.degree AS degree, n.betweenness AS betweenness
ORDER BY n.pagerank DESC, n.id
LIMIT 20;
