// The SPARQL query page: pick an example, edit, run against /api/v1/sparql, see a table.
const $ = (id) => document.getElementById(id);

function cell(term) {
  if (!term) return "";
  return term.type === "uri" ? term.value : term.value + (term["xml:lang"] ? `@${term["xml:lang"]}` : "");
}

function table(json) {
  const out = document.createElement("table");
  if ("boolean" in json) { out.textContent = String(json.boolean); return out; }
  const head = out.createTHead().insertRow();
  for (const name of json.head.vars) head.insertCell().textContent = name;
  const body = out.createTBody();
  for (const row of json.results.bindings) {
    const tr = body.insertRow();
    for (const name of json.head.vars) tr.insertCell().textContent = cell(row[name]);
  }
  return out;
}

async function run() {
  $("status").textContent = "…";
  $("results").replaceChildren();
  const response = await fetch("/api/v1/sparql", {
    method: "POST", body: $("query").value,
    headers: {"Content-Type": "application/sparql-query",
              "Accept": "application/sparql-results+json, text/turtle;q=0.9"},
  });
  if (!response.ok) {
    const problem = await response.json();
    $("status").textContent = `${response.status} ${problem.title}: ${problem.detail}`;
    return;
  }
  if ((response.headers.get("Content-Type") || "").startsWith("text/turtle")) {
    const pre = document.createElement("pre");
    pre.textContent = await response.text();
    $("results").append(pre);
    $("status").textContent = "";
    return;
  }
  const json = await response.json();
  $("results").append(table(json));
  $("status").textContent = "boolean" in json ? "" : `${json.results.bindings.length} rows`;
}

async function main() {
  const {items} = await (await fetch("/api/v1/sparql/examples")).json();
  const select = $("examples");
  for (const item of items) select.add(new Option(item.name, item.name));
  const show = () => {
    const item = items.find((i) => i.name === select.value);
    $("query").value = item.query;
    $("description").textContent = item.description;
  };
  select.addEventListener("change", show);
  $("run").addEventListener("click", run);
  if (items.length) show();
}

main();
