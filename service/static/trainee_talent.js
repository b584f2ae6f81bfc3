// The trainee's 求职 page (/my/talent): consent to the talent search with the district they want
// to work in (PUT /api/me/talent-consent), and employers' contact requests to accept (the phone is
// then shown to that employer) or decline (POST /api/me/contact-requests/{id}/answer).
// DOM built with tuoyu.h (never innerHTML).
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const h = (...a) => tuoyu.h(...a);
  const STATUS = { pending: ["待您答复", "warn"], accepted: ["已同意", "valid"], declined: ["已拒绝", "bad"] };
  const districts = new Map();

  function showConsent(c) {
    const state = $("consent-state");
    state.textContent = c.consented
      ? `已同意：托育机构可以在人才库中查找到您（希望就业：${districts.get(c.district_code) || c.district_code}）`
      : "未同意：托育机构在人才库中查不到您";
    state.className = "badge " + (c.consented ? "valid" : "");
    state.dataset.consented = String(c.consented);
    $("consent-on").checked = c.consented;
    if (c.district_code) $("consent-district").value = c.district_code;
  }

  async function loadConsent() {
    const r = await tuoyu.call("/api/me/talent-consent");
    if (!r.ok) {
      tuoyu.flash($("consent-msg"), tuoyu.message(r.data), "error");
      return;
    }
    showConsent(r.data);
  }

  function requestItem(r) {
    const [word, cls] = STATUS[r.status] || [r.status, ""];
    const li = h(
      "li",
      { class: "item card", dataset: { request: String(r.id), status: r.status } },
      h("div", { class: "item-head" }, h("strong", {}, r.employer_name), h("span", { class: "badge " + cls }, word)),
      r.message ? h("p", {}, "留言：" + r.message) : null,
      h("p", { class: "muted" }, `收到于 ${tuoyu.time(r.created_at)}` + (r.answered_at ? `，答复于 ${tuoyu.time(r.answered_at)}` : ""))
    );
    if (r.status === "pending") {
      const note = h("p", { class: "flash" });
      const yes = h("button", { type: "button", class: "inline" }, "同意");
      const no = h("button", { type: "button", class: "secondary inline" }, "拒绝");
      yes.setAttribute("aria-label", `同意 ${r.employer_name} 的联系请求（对方将看到您的手机号）`);
      no.setAttribute("aria-label", `拒绝 ${r.employer_name} 的联系请求`);
      const answer = async (accept) => {
        yes.disabled = no.disabled = true;
        const res = await tuoyu.call(`/api/me/contact-requests/${r.id}/answer`, "POST", { accept });
        if (!res.ok) {
          yes.disabled = no.disabled = false;
          tuoyu.flash(note, tuoyu.message(res.data), "error");
          return;
        }
        tuoyu.flash($("requests-msg"), accept ? `已同意，${r.employer_name} 现在可以看到您的手机号` : `已拒绝 ${r.employer_name} 的联系请求`, "ok");
        await loadRequests();
      };
      yes.addEventListener("click", () => answer(true));
      no.addEventListener("click", () => answer(false));
      li.append(h("p", { class: "hint" }, "同意后，这家机构可以看到您的手机号并与您联系。"), h("div", { class: "actions" }, yes, no), note);
    }
    return li;
  }

  async function loadRequests() {
    const list = $("contact-requests");
    const r = await tuoyu.call("/api/me/contact-requests");
    if (!r.ok) {
      list.replaceChildren(h("li", { class: "muted" }, tuoyu.message(r.data)));
      return;
    }
    list.replaceChildren(...r.data.map(requestItem));
    const pending = r.data.filter((x) => x.status === "pending").length;
    $("pending-note").hidden = !pending;
    $("pending-note").firstChild.textContent = `您有 ${pending} 个联系请求待答复，请到下方“联系请求”处答复`;
    if (!r.data.length) list.replaceChildren(h("li", { class: "muted" }, "还没有托育机构请求联系您。"));
  }

  document.addEventListener("DOMContentLoaded", async () => {
    if (!$("trainee-talent")) return;
    const d = await tuoyu.call("/api/districts");
    for (const x of d.ok ? d.data : []) {
      districts.set(x.code, x.name);
      $("consent-district").append(h("option", { value: x.code }, x.name));
    }
    $("consent-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const consent = $("consent-on").checked;
      const district = $("consent-district").value;
      if (consent && !district) {
        tuoyu.flash($("consent-msg"), "请选择希望就业的区县", "error");
        $("consent-district").focus();
        return;
      }
      const r = await tuoyu.call("/api/me/talent-consent", "PUT", { consent, district_code: consent ? district : null });
      if (!r.ok) {
        tuoyu.flash($("consent-msg"), tuoyu.message(r.data), "error");
        return;
      }
      showConsent(r.data);
      tuoyu.flash($("consent-msg"), consent ? "已保存：您已进入人才库" : "已保存：您已退出人才库", "ok");
      await loadRequests();
    });
    await Promise.all([loadConsent(), loadRequests()]);
  });
})();
