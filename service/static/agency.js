// The talent agency's page (人才推荐): search consenting certified people (service/static/talent.js),
// recommend one with a note to the employer chosen by its credit code (server-side, ?credit_code=),
// and list my recommendations. Data from the JSON API; DOM built with tuoyu.h (never innerHTML).
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const h = (...a) => tuoyu.h(...a);

  document.addEventListener("DOMContentLoaded", () => {
    const page = $("agency-page");
    if (!page) return;
    const employerId = page.dataset.employer ? Number(page.dataset.employer) : null;
    const employerName = page.dataset.employerName || "";

    // 推荐: a note for the employer, sent to the chosen one
    function recommendButton(c) {
      const box = h("div", { class: "contact-box" });
      if (!employerId) {
        box.append(h("p", { class: "muted" }, "请先在上方输入托育机构的统一社会信用代码"));
        return box;
      }
      const open = h("button", { type: "button", class: "inline" }, "推荐给该机构");
      open.setAttribute("aria-label", `将 ${c.masked_name} 推荐给 ${employerName}`);
      open.addEventListener("click", () => {
        const id = "note-" + c.handle;
        const text = h("textarea", { id, rows: "2", maxlength: "1000" });
        const send = h("button", { type: "submit", class: "inline" }, "确认推荐");
        const cancel = h("button", { type: "button", class: "secondary inline" }, "取消");
        const note = h("div", { class: "flash" });
        const form = h(
          "form",
          { class: "contact-form" },
          h("label", { for: id }, `推荐理由（${employerName}可见）`),
          text,
          send,
          " ",
          cancel,
          note
        );
        cancel.addEventListener("click", () => box.replaceChildren(open));
        form.addEventListener("submit", async (e) => {
          e.preventDefault();
          send.disabled = true;
          const res = await tuoyu.call("/api/talent/recommendations", "POST", {
            handle: c.handle,
            employer_id: employerId,
            note: text.value.trim(),
          });
          if (!res.ok) {
            send.disabled = false;
            tuoyu.flash(note, tuoyu.message(res.data), "error");
            return;
          }
          box.replaceChildren(h("span", { class: "badge valid" }, `已推荐给 ${employerName}`));
          await loadMine();
        });
        box.replaceChildren(form);
        text.focus();
      });
      box.append(open);
      return box;
    }

    async function runSearch() {
      const msg = $("talent-msg");
      const list = $("talent-results");
      tuoyu.flash(msg, "正在查找…", "info");
      const res = await talent.search({
        district_code: $("t-district").value,
        programme_code: $("t-programme").value,
        level: $("t-level").value,
      });
      if (res.stale) return;
      list.replaceChildren();
      if (!res.ok) {
        tuoyu.flash(msg, tuoyu.message(res.data), "error");
        return;
      }
      tuoyu.flash(msg, "");
      const { items, total } = res.data;
      $("talent-total").textContent = `共 ${total} 人符合条件` + (total > items.length ? `，显示前 ${items.length} 人` : "");
      for (const c of items) list.append(talent.card(c, recommendButton(c)));
      if (!items.length) list.append(h("li", { class: "muted" }, "没有符合条件的人员，可放宽条件再查"));
    }

    async function loadMine() {
      const list = $("my-recommendations");
      const res = await tuoyu.call("/api/talent/recommendations");
      list.replaceChildren();
      if (!res.ok) {
        list.append(h("li", { class: "flash error" }, tuoyu.message(res.data)));
        return;
      }
      for (const r of res.data) {
        list.append(
          talent.card(
            r.candidate,
            h("p", {}, `推荐给 ${r.employer_name || "机构 " + r.employer_id}，${tuoyu.time(r.created_at)}`),
            r.note ? h("p", { class: "muted" }, "推荐理由：" + r.note) : null
          )
        );
      }
      if (!res.data.length) list.append(h("li", { class: "muted" }, "还没有推荐记录"));
    }

    $("talent-search").addEventListener("submit", (e) => {
      e.preventDefault();
      runSearch();
    });
    talent.loadOptions($("t-district"), $("t-programme"), $("t-level")).then(runSearch);
    loadMine();
  });
})();
