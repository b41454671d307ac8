// Interface wording in Chinese and English. Kind, relation and property labels are not here:
// they come from the API's schema route (see vocabulary.js).

const STRINGS = {
  zh: {
    title: "长春创新图谱",
    otherLanguage: "English",
    searchPlaceholder: "搜索实体：中文名、英文名或别名",
    noMatch: "无匹配结果",
    tabExplore: "探索",
    tabPaths: "路径",
    tabBacking: "基金 → 实验室",
    tabCentrality: "中心性",
    tabChanges: "变化",
    tabAnalytics: "生态分析",
    loading: "加载中…",
    stats: "{nodes} 个实体 · {edges} 条关系",
    unknownView: "没有名为“{view}”的页面，以下是首页。",
    welcome: "在上方搜索框输入名称（如“长光卫星”“Jilin University”），选择一个实体，查看它的属性、每条关系及其原文出处，以及它周围的关系网络。",
    drawingMissing: "绘图库缺失：未安装 cytoscape（请运行 make run，或在 web/ 目录执行 npm ci）。搜索、实体详情、路径与列表仍可使用。",
    kind: "类别",
    subtype: "子类",
    id: "标识符",
    aliases: "别名",
    properties: "属性",
    provenance: "出处",
    relations: "关系（{n}）",
    noRelations: "没有关系",
    changesAbout: "它在各来源年份之间的变化",
    showAllRelations: "显示全部 {n} 条关系",
    relationsLoaded: "（已载入其中前 {n} 条；邻域视图可按类别筛选）",
    radius: "半径",
    nodeKinds: "实体类别",
    relationKinds: "关系类别",
    all: "全部",
    none: "清空",
    apply: "应用",
    truncated: "图中只显示离中心最近的 {n} 个实体。",
    drawn: "图中 {nodes} 个实体、{edges} 条关系",
    legend: "图例",
    selectedRelation: "所选关系",
    from: "起点",
    to: "终点",
    mode: "方式",
    mode_shortest: "所有最短路径",
    mode_k_shortest: "前 k 条最短路径",
    mode_all_simple: "所有简单路径",
    maxLength: "最多跳数",
    findPaths: "查找路径",
    pickBoth: "请先选择起点和终点。",
    pathsFound: "{count} 条路径，最短 {length} 跳",
    path: "路径 {n}（{length} 跳）",
    fundFilter: "基金（可选）",
    labFilter: "实验室（可选）",
    show: "查看",
    pairsFound: "{count} 对 基金 → 实验室",
    firstShown: "（显示前 {n} 对）",
    inferred: "推断",
    stated: "原文直接陈述",
    chains: "{n} 条链，最短 {length} 跳",
    chain: "链 {n}（{length} 跳）",
    measure: "指标",
    measure_degree: "度",
    measure_in_degree: "入度",
    measure_out_degree: "出度",
    measure_betweenness: "介数中心性",
    measure_closeness: "接近中心性",
    measure_harmonic: "调和中心性",
    measure_pagerank: "PageRank",
    measure_eigenvector: "特征向量中心性",
    allKinds: "全部类别",
    top: "前",
    rank: "名次",
    score: "得分",
    centralityOf: "按{measure}排名前 {top} 的实体（共 {count} 个）",
    error: "出错了：{message}",
  },
  en: {
    title: "Changchun innovation graph",
    otherLanguage: "中文",
    searchPlaceholder: "Search entities: Chinese, English name or alias",
    noMatch: "No match",
    tabExplore: "Explore",
    tabPaths: "Paths",
    tabBacking: "Funds → labs",
    tabCentrality: "Centrality",
    tabChanges: "What changed",
    tabAnalytics: "Ecosystem",
    loading: "Loading…",
    stats: "{nodes} entities · {edges} relations",
    unknownView: "There is no view called “{view}”; this is the start page.",
    welcome: "Type a name above (e.g. 长光卫星 or Jilin University) and pick an entity to see its properties, every relation with the sentence it comes from, and the network around it.",
    drawingMissing: "Drawing library missing: cytoscape is not installed (run make run, or npm ci in web/). Search, entity details, paths and lists still work.",
    kind: "Kind",
    subtype: "Subtype",
    id: "Id",
    aliases: "Aliases",
    properties: "Properties",
    provenance: "Sources",
    relations: "Relations ({n})",
    noRelations: "No relations",
    changesAbout: "What changed about it between the source years",
    showAllRelations: "Show all {n} relations",
    relationsLoaded: "(the first {n} loaded; filter the neighbourhood by kind for the rest)",
    radius: "Radius",
    nodeKinds: "Entity kinds",
    relationKinds: "Relation kinds",
    all: "All",
    none: "None",
    apply: "Apply",
    truncated: "Only the {n} entities nearest the centre are drawn.",
    drawn: "{nodes} entities, {edges} relations drawn",
    legend: "Legend",
    selectedRelation: "Selected relation",
    from: "From",
    to: "To",
    mode: "Mode",
    mode_shortest: "All shortest paths",
    mode_k_shortest: "k shortest paths",
    mode_all_simple: "All simple paths",
    maxLength: "Max hops",
    findPaths: "Find paths",
    pickBoth: "Pick both ends first.",
    pathsFound: "{count} paths, shortest {length} hops",
    path: "Path {n} ({length} hops)",
    fundFilter: "Fund (optional)",
    labFilter: "Lab (optional)",
    show: "Show",
    pairsFound: "{count} fund → lab pairs",
    firstShown: "(the first {n} shown)",
    inferred: "inferred",
    stated: "stated in the sources",
    chains: "{n} chains, shortest {length} hops",
    chain: "Chain {n} ({length} hops)",
    measure: "Measure",
    measure_degree: "degree",
    measure_in_degree: "in-degree",
    measure_out_degree: "out-degree",
    measure_betweenness: "betweenness",
    measure_closeness: "closeness",
    measure_harmonic: "harmonic centrality",
    measure_pagerank: "PageRank",
    measure_eigenvector: "eigenvector centrality",
    allKinds: "All kinds",
    top: "Top",
    rank: "Rank",
    score: "Score",
    centralityOf: "Top {top} entities by {measure} (of {count})",
    error: "Something went wrong: {message}",
  },
};

const listeners = [];
let lang = initialLanguage();

function initialLanguage() {
  const saved = localStorage.getItem("innograph.lang");
  if (saved in STRINGS) return saved;
  return (navigator.language || "").toLowerCase().startsWith("zh") ? "zh" : "en";
}

export const language = () => lang;

export function setLanguage(next) {
  lang = next;
  localStorage.setItem("innograph.lang", next);
  document.documentElement.lang = next;
  for (const listener of listeners) listener(next);
}

export const onLanguageChange = (listener) => listeners.push(listener);

// The interface text for `key`, with {placeholders} filled from `vars`.
export function t(key, vars = {}) {
  const text = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

// An entity's name in the current language (the other one when that is empty).
export function nameOf(entity) {
  const [first, second] = lang === "zh"
    ? [entity.name_zh, entity.name_en] : [entity.name_en, entity.name_zh];
  return first || second || entity.id;
}

export function otherNameOf(entity) {
  return lang === "zh" ? entity.name_en : entity.name_zh;
}

// A zh/en pair such as {zh, en} or a schema entry, in the current language.
export const pick = (pair) => pair[lang] || pair.en || pair.zh || "";

document.documentElement.lang = lang;
