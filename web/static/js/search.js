// An entity picker: a text box with as-you-type suggestions from GET /api/v1/entities?q=
// (ids, zh/en names and aliases), driven by mouse or keyboard (arrows, Enter, Escape).

import { api } from "./api.js";
import { debounce, h, replace } from "./dom.js";
import { nameOf, otherNameOf, t } from "./i18n.js";
import { kindColour, kindLabel } from "./vocabulary.js";

const SUGGESTIONS = 8;
const QUIET_MS = 150;

export function entityPicker({ placeholder, onPick, label, name }) {
  const input = h("input", { type: "search", name, placeholder, autocomplete: "off",
    role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false",
    "aria-label": label ?? placeholder, spellcheck: "false" });
  const list = h("ul", { class: "suggestions", role: "listbox", hidden: true });
  const element = h("div", { class: "picker" }, input, list);
  let items = [];
  let total = 0;
  let active = -1;
  let picked = null;
  let pending = null;

  async function suggest(text) {
    pending?.abort();
    if (!text.trim()) return close();
    pending = new AbortController();
    try {
      const page = await api.search(text.trim(), { limit: SUGGESTIONS },
        { signal: pending.signal });
      ({ items, total } = page);
      active = -1;
      render();
    } catch (error) {
      if (error.name !== "AbortError") close();
    }
    return items;
  }

  function render() {
    replace(list, items.length ? items.map((entity, i) => h("li", {
      role: "option", class: i === active ? "active" : "", "aria-selected": String(i === active),
      dataset: { id: entity.id }, onmousedown: (event) => { event.preventDefault(); choose(i); },
    }, h("i", { class: "swatch", style: { background: kindColour(entity.kind) } }),
    h("span", { class: "name" }, nameOf(entity)),
    h("span", { class: "other" }, otherNameOf(entity)),
    h("span", { class: "kind" }, kindLabel(entity.kind))))
      : h("li", { class: "empty" }, t("noMatch")),
    total > items.length ? h("li", { class: "more" }, `… ${total - items.length}`) : null);
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
  }

  function choose(index) {
    const entity = items[index];
    if (!entity) return;
    quietly.cancel();
    pending?.abort();
    setValue(entity);
    close();
    onPick?.(entity);
  }

  function setValue(entity) {
    picked = entity;
    input.value = entity ? nameOf(entity) : "";
  }

  const quietly = debounce((text) => suggest(text), QUIET_MS);
  input.addEventListener("input", () => { picked = null; quietly(input.value); });
  input.addEventListener("blur", () => setTimeout(close, 100));
  input.addEventListener("keydown", async (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!items.length) return;
      const step = event.key === "ArrowDown" ? 1 : -1;
      active = (active + step + items.length) % items.length;
      render();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (active < 0) { // typed fast: take the best match now
        quietly.cancel();
        await suggest(input.value);
      }
      choose(Math.max(active, 0));
    } else if (event.key === "Escape") close();
  });

  return { element, input, setValue, value: () => picked };
}
