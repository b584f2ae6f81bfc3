// Talent search (人才检索) helpers shared by the employer's 人才库 and the agency's pages: the search
// form's options (districts, programmes, levels from the public API), a candidate card (masked
// name, district, credentials with level, years), a search call. DOM built with tuoyu.h only.
"use strict";

const talent = (() => {
  const h = (...a) => tuoyu.h(...a);
  const districts = new Map(); // code → name

  // Fill the district / programme / level selects of a search form (first option: 不限).
  async function loadOptions(districtSel, programmeSel, levelSel) {
    const [d, p] = await Promise.all([tuoyu.call("/api/districts"), tuoyu.call("/api/catalog/programmes")]);
    for (const x of d.ok ? d.data : []) {
      districts.set(x.code, x.name);
      if (districtSel) districtSel.append(h("option", { value: x.code }, x.name));
    }
    const levels = new Set();
    for (const x of p.ok ? p.data : []) {
      // one entry per programme code: the same title exists at several levels (e.g. 保育师 五级…一级)
      if (programmeSel) programmeSel.append(h("option", { value: x.code }, x.level ? `${x.title}（${x.level}）` : x.title));
      if (x.level) levels.add(x.level);
    }
    for (const l of levels) if (levelSel) levelSel.append(h("option", { value: l }, l));
  }

  const districtName = (code) => districts.get(code) || code;

  // GET /api/talent/search with the form's filters (empty ones left out) → {ok, status, data};
  // {stale: true} when a later search started meanwhile (its answer is the one to show).
  let latest = 0;
  async function search(filters) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
    q.set("limit", "50");
    const mine = ++latest;
    const res = await tuoyu.call("/api/talent/search?" + q.toString());
    return mine === latest ? res : { stale: true };
  }

  // One candidate as a card; `actions` (nodes) go under the details.
  function card(c, ...actions) {
    return h(
      "li",
      { class: "candidate", dataset: { handle: c.handle } },
      h(
        "div",
        { class: "candidate-head" },
        h("strong", { class: "candidate-name" }, c.masked_name),
        h("span", { class: "badge" }, "意向区县：" + districtName(c.district_code)),
        h("span", { class: "badge" }, c.years_of_experience > 0 ? `从业 ${c.years_of_experience} 年` : "从业不足 1 年")
      ),
      h(
        "ul",
        { class: "creds" },
        c.credentials.map((k) => h("li", {}, h("span", { class: "badge valid" }, k.level || "有效"), " ", k.title))
      ),
      actions
    );
  }

  return { loadOptions, districtName, search, card };
})();
