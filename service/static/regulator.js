// The regulator's person page: record a background check, a credit record or a health
// certificate through the JSON API (tuoyu.call); the API's Chinese message on refusal or bad
// input; the page reloads on success so every table and status shows the new row.
"use strict";

(function () {
  const FIELDS = {
    "check-form": { msg: "check-msg", ok: "背景审查已登记" },
    "credit-form": { msg: "credit-msg", ok: "信用记录已登记" },
    "health-form": { msg: "health-msg", ok: "健康证已登记" },
  };

  function body(form) {
    const out = {};
    for (const el of form.elements) {
      if (!el.name) continue;
      if (el.type === "checkbox") out[el.name] = el.checked;
      else out[el.name] = el.value.trim();
    }
    return out;
  }

  function missing(form) {
    for (const el of form.elements) {
      if (el.required && !el.value.trim()) {
        const label = form.querySelector(`label[for="${el.id}"]`);
        return `请填写${label ? label.textContent.replace(/（.*）/, "") : "必填项"}`;
      }
    }
    return "";
  }

  for (const [id, spec] of Object.entries(FIELDS)) {
    const form = document.getElementById(id);
    if (!form) continue;
    const msg = document.getElementById(spec.msg);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      msg.hidden = false;
      const problem = missing(form);
      if (problem) {
        tuoyu.flash(msg, problem, "error");
        return;
      }
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      const r = await tuoyu.call(form.dataset.path, "POST", body(form));
      button.disabled = false;
      if (r.ok) {
        tuoyu.flash(msg, spec.ok + "，正在刷新…", "ok");
        location.reload();
      } else {
        tuoyu.flash(msg, tuoyu.message(r.data), "error");
      }
    });
  }
})();
