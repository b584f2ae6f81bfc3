// 数据导入 (/dashboard/imports): upload a spreadsheet as a background import job, poll its
// progress, show the report. The file goes as the raw request body (no FormData), with the
// CSRF token through tuoyu.api.
"use strict";

(function () {
  const form = document.getElementById("import-form");
  if (!form) return;
  const flash = document.getElementById("import-flash");
  const progress = document.getElementById("progress");
  const bar = document.getElementById("bar");
  const progressText = document.getElementById("progress-text");
  const report = document.getElementById("report");
  const summary = document.getElementById("summary");
  const tbody = document.querySelector("#problems tbody");
  const link = document.getElementById("report-link");
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  function show(job) {
    const r = job.report;
    report.hidden = false;
    const verb = r.dry_run ? "将新增" : "已新增";
    summary.replaceChildren(
      tuoyu.h("p", {}, (r.dry_run ? "试运行（未写入任何数据）：" : "导入完成：") + "共 " + r.rows + " 行："),
      tuoyu.h(
        "p",
        { class: "counts" },
        tuoyu.h("span", { class: "badge valid" }, verb + " " + r.created),
        tuoyu.h("span", { class: "badge" }, "已存在且一致 " + r.unchanged),
        tuoyu.h("span", { class: "badge " + (r.rejected ? "bad" : "") }, "未导入 " + r.rejected)
      ),
      r.ignored_columns.length ? tuoyu.h("p", { class: "hint" }, "忽略的列：" + r.ignored_columns.join("、")) : ""
    );
    tbody.replaceChildren(
      ...r.problems.map((p) => tuoyu.h("tr", {}, tuoyu.h("td", {}, p.row), tuoyu.h("td", {}, p.column), tuoyu.h("td", {}, p.reason)))
    );
    link.href = "/api/imports/" + job.id + "/result.xlsx";
    if (r.rejected > r.problems.length) {
      tbody.append(tuoyu.h("tr", {}, tuoyu.h("td", { colspan: "3" }, "仅显示前 " + r.problems.length + " 条，完整列表请下载表格")));
    }
  }

  // queued: say so, and how many imports are before it (they run one at a time)
  function progressLine(job) {
    if (job.status === "queued") {
      return job.ahead ? "排队中，前面还有 " + job.ahead + " 个导入任务" : "排队中，即将开始";
    }
    if (job.status === "running" && !job.done && !job.total) return "正在读取文件……";
    return "已读取 " + job.done + " / 约 " + job.total + " 行";
  }

  async function poll(id) {
    let said = "";
    for (;;) {
      const { ok, data } = await tuoyu.call("/api/imports/" + id);
      if (!ok) return tuoyu.flash(flash, tuoyu.message(data), "error");
      const pct = data.total ? Math.min(100, Math.round((100 * data.done) / data.total)) : 0;
      bar.value = data.status === "done" ? 100 : pct;
      progressText.textContent = progressLine(data);
      // the first line agrees with the progress line: queued behind other imports, or checking
      const line = data.status === "queued" ? "已提交，排队等待……" : "已提交，正在后台逐行检查……";
      if (data.status !== "done" && data.status !== "failed" && line !== said) {
        said = line; // said once per change, not announced again every second
        tuoyu.flash(flash, line, "info");
      }
      if (data.status === "done") {
        tuoyu.flash(flash, data.report.dry_run ? "检查完成，未写入任何数据" : "导入完成", "ok");
        return show(data);
      }
      if (data.status === "failed") return tuoyu.flash(flash, data.error || "无法读取该文件", "error");
      await sleep(1000);
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = document.getElementById("file").files[0];
    if (!file) return tuoyu.flash(flash, "请选择要导入的表格文件", "error");
    const kind = document.getElementById("kind").value;
    const dry = document.getElementById("dry-run").checked;
    report.hidden = true;
    tuoyu.flash(flash, "正在上传……", "info");
    const query = "?dry_run=" + dry + "&filename=" + encodeURIComponent(file.name);
    const r = await tuoyu.api("/api/imports/" + kind + query, {
      method: "POST",
      body: file,
      headers: { "Content-Type": "application/octet-stream" },
    });
    let data = {};
    try {
      data = await r.json();
    } catch (_) {}
    if (!r.ok) return tuoyu.flash(flash, tuoyu.message(data), "error");
    progress.hidden = false;
    await poll(data.id);
  });
})();
