// 题库与组卷 (/dashboard/bank/{code}): upload a question bank (all rows or none; the API's row
// errors listed in Chinese), edit the blueprint (live total; the API's problems in Chinese).
// Every write goes through the JSON API; the page reloads after a success so its counts are fresh.
"use strict";

(() => {
  const FLASH_KEY = "tuoyu-bank-flash";
  const FIELD = { domain: "知识领域", difficulty: "难度", question_count: "题数", points: "每题分值", rows: "蓝图" };

  document.addEventListener("DOMContentLoaded", () => {
    const upload = document.getElementById("bank-upload");
    const bpForm = document.getElementById("bp-form");
    const bankFlash = document.getElementById("bank-flash");
    const bpFlash = document.getElementById("bp-flash");
    const saved = sessionStorage.getItem(FLASH_KEY);
    if (saved) {
      sessionStorage.removeItem(FLASH_KEY);
      const { target, text } = JSON.parse(saved);
      tuoyu.flash(document.getElementById(target), text, "ok");
    }
    if (upload) setUpUpload(upload, bankFlash);
    if (bpForm) setUpBlueprint(bpForm, bpFlash);
  });

  async function json(r) {
    try {
      return await r.json();
    } catch (_) {
      return {};
    }
  }

  function reloadWith(target, text) {
    sessionStorage.setItem(FLASH_KEY, JSON.stringify({ target, text }));
    location.reload();
  }

  function setUpUpload(form, flash) {
    const wrap = document.getElementById("bank-errors-wrap");
    const tbody = document.querySelector("#bank-errors tbody");
    const code = form.dataset.code;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const file = document.getElementById("bank-file").files[0];
      wrap.hidden = true;
      tbody.replaceChildren();
      if (!file) return tuoyu.flash(flash, "请选择题库表格（.xlsx）", "error");
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      tuoyu.flash(flash, "正在上传并检查……", "info");
      try {
        const r = await tuoyu.api("/api/programmes/" + encodeURIComponent(code) + "/questions/import", {
          method: "POST",
          body: file,
          headers: { "Content-Type": "application/octet-stream" },
        });
        const data = await json(r);
        if (r.ok) {
          return reloadWith("bank-flash", `导入成功：新增 ${data.created} 题，更新 ${data.updated} 题。`);
        }
        if (r.status === 401) {
          location.href = "/login?next=" + encodeURIComponent(location.pathname);
          return;
        }
        const rows = Array.isArray(data.rows) ? data.rows : [];
        tuoyu.flash(flash, (data.detail || tuoyu.message(data)) + (rows.length ? "。请修改下列各行后重新上传：" : ""), "error");
        if (rows.length) {
          for (const row of rows) {
            tbody.append(tuoyu.h("tr", {}, tuoyu.h("td", {}, "第 " + row.row + " 行"), tuoyu.h("td", {}, (row.errors || []).join("；"))));
          }
          wrap.hidden = false;
        }
      } finally {
        button.disabled = false;
      }
    });
  }

  function setUpBlueprint(form, flash) {
    const rowsBox = document.getElementById("bp-rows");
    const template = document.getElementById("bp-row-template");
    const total = document.getElementById("bp-total");
    const problems = document.getElementById("bp-problems");
    const code = form.dataset.code;

    function renumber() {
      rowsBox.querySelectorAll(".bp-row").forEach((row, i) => {
        row.querySelector(".bp-n").textContent = String(i + 1);
      });
      updateTotal();
    }

    // Points in tenths (exact: no floating point), or null when not a score with one decimal.
    function tenths(text) {
      const m = /^\s*(\d+)(?:\.(\d))?\s*$/.exec(text);
      return m ? Number(m[1]) * 10 + Number(m[2] || 0) : null;
    }

    function updateTotal() {
      let questions = 0;
      let sum = 0;
      let known = true;
      for (const row of rowsBox.querySelectorAll(".bp-row")) {
        const n = Number(row.querySelector("[name=question_count]").value);
        const t = tenths(row.querySelector("[name=points]").value);
        if (!Number.isInteger(n) || t === null) known = false;
        else {
          questions += n;
          sum += n * t;
        }
      }
      if (!known) {
        total.textContent = "合计：有的行题数或分值未填好";
        total.className = "total notmet";
        return;
      }
      const points = (sum / 10).toFixed(sum % 10 ? 1 : 0);
      total.textContent = `合计 ${questions} 题，${points} 分` + (sum === 1000 ? "" : "（须恰好为 100 分）");
      total.className = "total " + (sum === 1000 ? "met" : "notmet");
    }

    function addRow() {
      rowsBox.append(template.content.cloneNode(true));
      renumber();
      rowsBox.querySelector(".bp-row:last-child [name=domain]").focus();
    }

    rowsBox.addEventListener("input", updateTotal);
    rowsBox.addEventListener("click", (event) => {
      const button = event.target.closest(".bp-remove");
      if (!button) return;
      button.closest(".bp-row").remove();
      renumber();
    });
    document.getElementById("bp-add").addEventListener("click", addRow);
    if (!rowsBox.querySelector(".bp-row")) addRow();
    renumber();

    function fieldText(loc) {
      const parts = (loc || []).filter((p) => p !== "body");
      const i = parts.indexOf("rows");
      const index = i >= 0 && /^\d+$/.test(parts[i + 1] || "") ? Number(parts[i + 1]) + 1 : null;
      const field = FIELD[parts[parts.length - 1]] || "";
      return (index ? `第 ${index} 行` : "") + field;
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      problems.hidden = true;
      problems.replaceChildren();
      const rows = [...rowsBox.querySelectorAll(".bp-row")].map((row) => {
        const count = row.querySelector("[name=question_count]").value.trim();
        return {
          domain: row.querySelector("[name=domain]").value,
          difficulty: Number(row.querySelector("[name=difficulty]").value),
          question_count: /^\d+$/.test(count) ? Number(count) : count,
          points: row.querySelector("[name=points]").value.trim(),
        };
      });
      if (!rows.length) return tuoyu.flash(flash, "组卷蓝图至少需要一行", "error");
      const { ok, data } = await tuoyu.call("/api/programmes/" + encodeURIComponent(code) + "/blueprint", "PUT", { rows });
      if (ok) return reloadWith("bp-flash", `组卷蓝图已保存：共 ${data.question_count} 题，${data.total_points} 分。`);
      const items = Array.isArray(data.problems)
        ? data.problems
        : (data.errors || []).map((e) => [fieldText(e.loc), e.msg || e.message].filter(Boolean).join("："));
      tuoyu.flash(flash, Array.isArray(data.problems) ? "组卷蓝图未保存，请修改：" : "组卷蓝图未保存：" + (data.detail || "输入有误"), "error");
      for (const text of items) problems.append(tuoyu.h("li", {}, text));
      problems.hidden = items.length === 0;
    });
  }
})();
