// Which funds back which labs, and through what?
//
// Every chain of at most 4 relationships from a fund to a lab, following only the links a
// backing chain may take (the same table as the API's /backing, queries/backing.py):
//   direct           fund -FUNDS/INVESTS_IN-> lab
//   via_program      fund -> programme or subsidy scheme -> ... -> lab
//                    (a fund that is PART_OF a funding programme backs what it funds)
//   via_institution  fund -> institution that funds, operates, established, hosts or supports
//                    the lab, or that the lab is affiliated with or part of
//   via_company      fund -> company that funds, operates, hosts or supports the lab
//   via_park         fund -> park that hosts or supports the lab, or that it is located in
//   via_sector       fund -TARGETS_SECTOR-> sector <-WORKS_IN_SECTOR- lab: NOT stated in the
//                    sources, an inference from a shared sector, so `inferred` is true.
//   via_institution_group
//                    through an institution group (an Institution of subtype 'group', e.g.
//                    高校院所): fund -> start-up teams -AFFILIATED_WITH-> group <-MEMBER_OF-
//                    member -> lab. A chain enters a group only over AFFILIATED_WITH (or the
//                    fund's own money link) and leaves it only to a member: the sources tie
//                    the teams to the group in general, not to that member, so it is
//                    `inferred` too.
// A chain ends at the first lab it reaches and never visits a node twice. Stated chains come
// first, then shorter ones.
//
// To see one fund, replace null in the first line with its id or zh/en name, e.g. '长兴基金'.
WITH null AS fund
WITH fund, [
  // <kind of the node a step leaves, or InstitutionGroup>|<relationship type>|<direction>
  'Fund|FUNDS|forward', 'Fund|INVESTS_IN|forward', 'Fund|SUPPORTS|forward',
  'Program|FUNDS|forward', 'Program|SUPPORTS|forward',
  'Institution|FUNDS|forward', 'Institution|INVESTS_IN|forward',
  'Institution|SUPPORTS|forward', 'Institution|OPERATES|forward', 'Institution|HOSTS|forward',
  'Institution|ESTABLISHED|forward', 'Institution|AFFILIATED_WITH|backward',
  'Institution|PART_OF|backward', 'Institution|AFFILIATED_WITH|forward',
  'Company|FUNDS|forward', 'Company|INVESTS_IN|forward', 'Company|SUPPORTS|forward',
  'Company|OPERATES|forward', 'Company|HOSTS|forward', 'Company|AFFILIATED_WITH|backward',
  'Company|AFFILIATED_WITH|forward',
  'Park|FUNDS|forward', 'Park|SUPPORTS|forward', 'Park|HOSTS|forward',
  'Park|LOCATED_IN|backward', 'Park|PART_OF|backward',
  'InstitutionGroup|MEMBER_OF|backward',
  'Sector|WORKS_IN_SECTOR|backward'
] AS links
MATCH (f:Fund)
WHERE fund IS NULL
   OR toLower(fund) IN [s IN [f.id, f.name_zh, f.name_en]
                         + coalesce(f.aliases, []) | toLower(s)]
MATCH p = (f)-[first:FUNDS|INVESTS_IN|PART_OF|TARGETS_SECTOR]->(x)
          ((u)-[r]-(v)
            WHERE u.kind <> 'Lab' AND v.kind <> 'Sector'
              AND (u.kind <> 'Sector' OR v.kind = 'Lab')
              AND CASE WHEN u:Institution AND u.subtype = 'group' THEN 'InstitutionGroup'
                       ELSE u.kind END
                  + '|' + type(r) + '|'
                  + CASE WHEN startNode(r) = u THEN 'forward' ELSE 'backward' END IN links
              AND (type(r) <> 'AFFILIATED_WITH' OR startNode(r) <> u
                   OR (v:Institution AND v.subtype = 'group'))
          ){0,3}
          (lab:Lab)
WHERE (type(first) <> 'PART_OF' OR x:Program)
  AND all(i IN range(0, length(p) - 1) WHERE NOT nodes(p)[i] IN nodes(p)[i + 1..])
WITH f, lab, p,
     CASE WHEN length(p) = 1 THEN 'direct'
          WHEN any(n IN nodes(p)[1..-1] WHERE n:Institution AND n.subtype = 'group')
            THEN 'via_institution_group'
          WHEN x:Program OR x:Fund THEN 'via_program'
          WHEN x:Institution THEN 'via_institution'
          WHEN x:Company THEN 'via_company'
          WHEN x:Park THEN 'via_park'
          ELSE 'via_sector' END AS pattern
RETURN f.name_zh AS fund, lab.name_zh AS lab, pattern,
       pattern IN ['via_sector', 'via_institution_group'] AS inferred,
       length(p) AS hops,
       reduce(chain = f.name_zh, i IN range(0, length(p) - 1) |
              chain + CASE WHEN startNode(relationships(p)[i]) = nodes(p)[i]
                           THEN ' -' + type(relationships(p)[i]) + '-> '
                           ELSE ' <-' + type(relationships(p)[i]) + '- ' END
                    + nodes(p)[i + 1].name_zh) AS chain,
       [n IN nodes(p) | n.id] AS ids,
       [rel IN relationships(p) | type(rel)] AS relations
ORDER BY inferred, hops, fund, lab, chain;
