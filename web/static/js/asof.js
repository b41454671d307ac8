// The date the page shows the graph as of, kept in the address's query (/?as_of=2022#/…):
// the #fragment's links and views never touch it, so it survives every move within the page
// and a copied link shares it. No as_of means now (every source).

const PARAM = "as_of";
const listeners = [];
let current = read();

function read() {
  return new URLSearchParams(location.search).get(PARAM) || null;
}

export const asOf = () => current;

// The request parameters of a dated query: `as_of` added when a date is chosen.
export const dated = (params = {}) => (current ? { ...params, as_of: current } : params);

export function setAsOf(value) {
  const url = new URL(location.href);
  if (value) url.searchParams.set(PARAM, value);
  else url.searchParams.delete(PARAM);
  history.pushState(null, "", url);
  changed();
}

export const onAsOfChange = (listener) => listeners.push(listener);

function changed() {
  const next = read();
  if (next === current) return;
  current = next;
  for (const listener of listeners) listener(current);
}

// Back and forward move through chosen dates too (a fragment move leaves the date alone).
window.addEventListener("popstate", changed);
