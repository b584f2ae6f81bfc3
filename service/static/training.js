// Training in depth pages: 师资 (/base/trainers), 师资库 (/dashboard/trainers), 实训基地
// (/dashboard/bases), 培训补贴
// (/dashboard/subsidies) and the lesson player (/my/lessons/{id}). Every write goes through the
// JSON API with tuoyu.call (CSRF, 401 → login); user data only ever becomes DOM text (tuoyu.h).
"use strict";

const training = (() => {
  const h = (...a) => tuoyu.h(...a);

  // Full-width digits and letters typed on a Chinese keyboard → ASCII ("３７０１" → "3701").
  function ascii(text) {
    return String(text || "")
      .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
      .replace(/\u3000/g, " ")
      .trim();
  }
  function value(form, name) {
    const el = form.elements[name];
    return el ? ascii(el.value) : "";
  }
  // A message shown after the reload that follows a write (what is shown is what the server has).
  function later(text, kind = "ok") {
    sessionStorage.setItem("training-flash", JSON.stringify({ text, kind }));
  }
  function showLater() {
    const saved = sessionStorage.getItem("training-flash");
    if (!saved) return;
    sessionStorage.removeItem("training-flash");
    const { text, kind } = JSON.parse(saved);
    tuoyu.flash(document.getElementById("msg"), text, kind);
  }
  function formFlash(form) {
    return form.querySelector(".flash");
  }
  // Submit a form once: disable its button while the call runs.
  function onSubmit(form, run) {
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      try {
        await run(form);
      } finally {
        if (button) button.disabled = false;
      }
    });
  }
  function maskId(id) {
    const s = String(id || "");
    return s.length > 8 ? s.slice(0, 4) + "*".repeat(s.length - 8) + s.slice(-4) : s;
  }
  // Open a <details> once → load its content.
  function onFirstOpen(details, load) {
    let loaded = false;
    details.addEventListener("toggle", () => {
      if (details.open && !loaded) {
        loaded = true;
        load();
      }
    });
  }

  // ------------------------------------------------------------------ 师资 (/base/trainers)

  async function createTrainer(f) {
    const flash = formFlash(f);
    const qualification = value(f, "q_name");
    const body = {
      name: value(f, "name"),
      id_number: value(f, "id_number").toUpperCase(),
      phone: value(f, "phone"),
      title: value(f, "title"),
      rank: value(f, "rank"),
      district_code: f.dataset.district,
      training_base_id: parseInt(f.dataset.base, 10),
      qualifications: qualification
        ? [{
          name: qualification,
          number: value(f, "q_number"),
          issuer: value(f, "q_issuer"),
          issued_on: value(f, "q_issued_on") || null,
        }]
        : [],
    };
    const r = await tuoyu.call("/api/trainers", "POST", body);
    if (!r.ok) {
      tuoyu.flash(flash, tuoyu.message(r.data), "error");
      return;
    }
    const courses = Array.from(f.querySelectorAll("input[name=course_ids]:checked")).map((c) => parseInt(c.value, 10));
    for (const id of courses) {
      const c = await tuoyu.call(`/api/trainers/${r.data.id}/courses`, "POST", { course_id: id });
      if (!c.ok) {
        later(`已添加讲师 ${r.data.name}，但可授课程未全部登记：${tuoyu.message(c.data)}`, "error");
        location.reload();
        return;
      }
    }
    later(`已添加讲师：${r.data.name}`);
    location.reload();
  }

  async function assign(f) {
    const flash = formFlash(f);
    const trainer = parseInt(value(f, "trainer_id"), 10);
    if (!trainer) {
      tuoyu.flash(flash, "请选择讲师", "error");
      return;
    }
    const r = await tuoyu.call(`/api/sessions/${f.dataset.session}/trainers`, "POST", { trainer_id: trainer });
    if (!r.ok) {
      tuoyu.flash(flash, tuoyu.message(r.data, "安排失败"), "error");
      return;
    }
    showAssigned(f.closest("tr").querySelector(".assigned"), r.data);
    tuoyu.flash(flash, "已安排", "ok");
  }

  // The trainers of a session, each with its 撤下 button (DELETE …/trainers/{id}).
  function showAssigned(cell, rows) {
    if (!rows.length) {
      cell.replaceChildren(h("span", { class: "muted" }, "未安排"));
      return;
    }
    cell.replaceChildren(...rows.map((a) => h("div", { class: "assignee" }, a.trainer_name, " ",
      h("button", {
        type: "button", class: "inline secondary", "data-kind": "unassign",
        "data-trainer": a.trainer_id, "aria-label": `撤下 ${a.trainer_name}`,
      }, "撤下"))));
  }

  async function unassign(button) {
    const cell = button.closest(".assigned");
    const flash = cell.closest("tr").querySelector(".flash");
    button.disabled = true;
    const r = await tuoyu.call(`/api/sessions/${cell.dataset.session}/trainers/${button.dataset.trainer}`, "DELETE");
    if (!r.ok) {
      button.disabled = false;
      tuoyu.flash(flash, tuoyu.message(r.data, "撤下失败"), "error");
      return;
    }
    showAssigned(cell, r.data);
    tuoyu.flash(flash, "已撤下", "ok");
  }

  function baseTrainers() {
    document.querySelectorAll("form[data-kind=create-trainer]").forEach((f) => onSubmit(f, createTrainer));
    document.querySelectorAll("form[data-kind=assign]").forEach((f) => onSubmit(f, assign));
    // one listener for the 撤下 buttons, also those drawn after an assignment
    document.addEventListener("click", (ev) => {
      const button = ev.target.closest && ev.target.closest("button[data-kind=unassign]");
      if (button) unassign(button);
    });
  }

  // ------------------------------------------------------------------ 师资库 (/dashboard/trainers)

  const KIND = { promotion: "晋升", demotion: "降级", same: "调整" };
  const RANK = { assistant: "助理讲师", lecturer: "讲师", senior: "高级讲师", chief: "首席讲师" };

  async function trainerDetail(details) {
    const id = details.dataset.trainer;
    const evalBox = details.querySelector(".evaluations");
    const histBox = details.querySelector(".history");
    const [ev, hist] = await Promise.all([
      tuoyu.call(`/api/trainers/${id}/evaluations`),
      tuoyu.call(`/api/trainers/${id}/rank-history`),
    ]);
    if (!ev.ok) evalBox.replaceChildren(h("p", { class: "muted" }, tuoyu.message(ev.data)));
    else if (!ev.data.length) evalBox.replaceChildren(h("p", { class: "muted" }, "暂无学员评价"));
    else {
      evalBox.replaceChildren(h("ul", { class: "plain list" }, ...ev.data.map((e) =>
        h("li", {}, h("strong", {}, `${e.score} 分`), " ", e.comment || "（无文字评价）",
          h("span", { class: "muted" }, ` · ${tuoyu.time(e.created_at)}`)))));
    }
    if (!hist.ok) histBox.replaceChildren(h("p", { class: "muted" }, tuoyu.message(hist.data)));
    else if (!hist.data.length) histBox.replaceChildren(h("p", { class: "muted" }, "暂无职级变动"));
    else {
      histBox.replaceChildren(h("ul", { class: "plain list" }, ...hist.data.map((c) =>
        h("li", {}, h("strong", {}, `${KIND[c.kind] || c.kind}：${RANK[c.from_rank] || c.from_rank} → ${RANK[c.to_rank] || c.to_rank}`),
          ` ${c.decided_on} · 理由：${c.reason} · 经办：${c.decided_by}`))));
    }
  }

  async function rank(f) {
    const body = { rank: value(f, "rank"), reason: value(f, "reason") };
    const r = await tuoyu.call(`/api/trainers/${f.dataset.trainer}/rank`, "POST", body);
    if (!r.ok) {
      tuoyu.flash(formFlash(f), tuoyu.message(r.data), "error");
      return;
    }
    later(`职级已变动（${KIND[r.data.kind] || r.data.kind}）：${RANK[r.data.to_rank] || r.data.to_rank}`);
    location.reload();
  }

  function pool() {
    document.querySelectorAll("details[data-kind=trainer-detail]").forEach((d) => onFirstOpen(d, () => trainerDetail(d)));
    document.querySelectorAll("form[data-kind=rank]").forEach((f) => onSubmit(f, rank));
  }

  // ------------------------------------------------------------------ 实训基地 (/dashboard/bases)

  const BASE_FIELDS = { name: "名称", address: "地址", accredited_on: "认定日期", withdrawn_on: "撤销日期",
    withdrawn_reason: "撤销原因", accredited: "认定", active: "在用" };

  // Only the fields that differ from what the page was rendered with are sent (PATCH); an
  // emptied date is sent as null (a withdrawal taken back). The server checks every rule.
  async function saveBase(f) {
    const body = {};
    for (const name of ["name", "address", "accredited_on", "withdrawn_on", "withdrawn_reason"]) {
      const now = name === "name" || name === "address" || name === "withdrawn_reason"
        ? f.elements[name].value.trim() : value(f, name);
      if (now !== (f.dataset[name] || "")) body[name] = now === "" && name.endsWith("_on") ? null : now;
    }
    if (!Object.keys(body).length) {
      tuoyu.flash(formFlash(f), "没有修改任何内容", "error");
      return;
    }
    const reason = f.elements.reason.value.trim();
    if (reason) body.reason = reason;
    const r = await tuoyu.call(`/api/training-bases/${f.dataset.base}`, "PATCH", body);
    if (!r.ok) {
      tuoyu.flash(formFlash(f), tuoyu.message(r.data), "error");
      return;
    }
    later(`已保存：${r.data.name}` + (r.data.withdrawn_on ? `（${r.data.withdrawn_on} 起撤销认定）` : ""));
    location.hash = "b" + r.data.id;
    location.reload();
  }

  function shown(v) {
    return v === null || v === "" || v === undefined ? "（空）" : v === true ? "是" : v === false ? "否" : String(v);
  }

  async function baseHistory(details) {
    const box = details.querySelector(".history");
    const r = await tuoyu.call(`/api/training-bases/${details.dataset.base}/changes`);
    if (!r.ok) {
      box.replaceChildren(h("p", { class: "muted" }, tuoyu.message(r.data)));
      return;
    }
    box.replaceChildren(!r.data.length ? h("p", { class: "muted" }, "没有变更记录。")
      : h("ul", { class: "list" }, ...r.data.map((c) => h("li", {},
        h("strong", {}, tuoyu.time(c.changed_at)), ` · 经办：${c.changed_by}`,
        c.reason ? ` · 说明：${c.reason}` : "",
        h("br"),
        Object.keys(c.after).map((k) => `${BASE_FIELDS[k] || k}：${shown(c.before[k])} → ${shown(c.after[k])}`).join("；")))));
  }

  function bases() {
    document.querySelectorAll("form[data-kind=base]").forEach((f) => onSubmit(f, saveBase));
    document.querySelectorAll("details[data-kind=base-history]").forEach((d) => onFirstOpen(d, () => baseHistory(d)));
  }

  // ------------------------------------------------------------------ 培训补贴 (/dashboard/subsidies)

  function today() {
    return new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
    }).format(new Date());
  }

  function renderRoster(box, offering, roster) {
    const eligible = roster.eligible;
    const table = eligible.length
      ? h("div", { class: "scroll" }, h("table", { class: "eligible" },
        h("caption", { class: "sr-only" }, "符合补贴条件的学员"),
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, "选择"), h("th", { scope: "col" }, "姓名"), h("th", { scope: "col" }, "身份证号"),
          h("th", { scope: "col" }, "学时"), h("th", { scope: "col" }, "结业日期"), h("th", { scope: "col" }, "证书编号"),
          h("th", { scope: "col" }, "就业单位"))),
        h("tbody", {}, ...eligible.map((row) => {
          const cid = `claim-${offering}-${row.enrollment_id}`;
          return h("tr", { "data-enrollment": row.enrollment_id },
            h("td", {}, h("input", { type: "checkbox", id: cid, name: "enrollment_ids", value: row.enrollment_id }),
              h("label", { for: cid, class: "sr-only" }, `选择 ${row.name}`)),
            h("th", { scope: "row" }, row.name), h("td", { class: "nowrap" }, maskId(row.id_number)), h("td", {}, row.hours),
            h("td", { class: "nowrap" }, row.completed_on), h("td", { class: "nowrap" }, row.certificate_number),
            h("td", {}, row.employer || "—"));
        }))))
      : h("p", { class: "muted" }, roster.completed_on ? "没有符合补贴条件的学员。" : "班级尚未结业，结业后生成补贴名单。");
    const dateId = `claimed-${offering}`;
    const form = eligible.length
      ? h("form", { class: "claim" },
        h("div", { class: "row" },
          h("div", {}, h("label", { for: dateId }, "发放日期"), h("input", { id: dateId, name: "claimed_on", type: "date", value: today(), required: true }))),
        h("button", { type: "submit" }, "登记所选学员已发放补贴"),
        h("div", { class: "flash", "aria-live": "polite" }))
      : null;
    const excluded = roster.excluded.length
      ? [h("h3", {}, `不在名单内（${roster.excluded.length} 人）`),
        h("ul", { class: "plain list excluded" }, ...roster.excluded.map((x) =>
          h("li", {}, h("strong", {}, x.name), "：", x.reason, x.claimed ? h("span", { class: "badge valid" }, "已发放") : null)))]
      : [];
    if (form) form.prepend(table);
    box.replaceChildren(
      h("p", { class: "summary" }, `符合条件 ${eligible.length} 人 · 不在名单内 ${roster.excluded.length} 人`),
      form || table,
      ...excluded);
    if (form) {
      onSubmit(form, async () => {
        const ids = Array.from(form.querySelectorAll("input[name=enrollment_ids]:checked")).map((c) => parseInt(c.value, 10));
        if (!ids.length) {
          tuoyu.flash(formFlash(form), "请先勾选已发放补贴的学员", "error");
          return;
        }
        const r = await tuoyu.call(`/api/offerings/${offering}/subsidy-claims`, "POST",
          { enrollment_ids: ids, claimed_on: value(form, "claimed_on") || null });
        if (!r.ok) {
          tuoyu.flash(formFlash(form), tuoyu.message(r.data), "error");
          return;
        }
        renderRoster(box, offering, r.data);
        tuoyu.flash(document.getElementById("msg"), `已登记 ${ids.length} 人的补贴发放`, "ok");
      });
    }
  }

  async function loadRoster(details) {
    const offering = details.dataset.offering;
    const box = details.querySelector(".roster");
    const r = await tuoyu.call(`/api/offerings/${offering}/subsidy-roster`);
    if (!r.ok) {
      box.replaceChildren(h("p", { class: "muted" }, tuoyu.message(r.data)));
      return;
    }
    renderRoster(box, offering, r.data);
  }

  function subsidies() {
    document.querySelectorAll("button[data-kind=designate]").forEach((b) => b.addEventListener("click", async () => {
      b.disabled = true;
      const on = b.dataset.subsidised === "true";
      const r = await tuoyu.call(`/api/offerings/${b.dataset.offering}/subsidy`, "POST", { subsidised: on });
      b.disabled = false;
      if (!r.ok) {
        tuoyu.flash(document.getElementById("msg"), tuoyu.message(r.data), "error");
        return;
      }
      later(on ? `已标记为补贴班级：${r.data.title}` : `已取消补贴标记：${r.data.title}`);
      location.hash = "o" + r.data.id;
      location.reload();
    }));
    document.querySelectorAll("details[data-kind=roster]").forEach((d) => onFirstOpen(d, () => loadRoster(d)));
  }

  // ------------------------------------------------------------------ 观看课件 (/my/lessons/{id})

  const HEARTBEAT_MS = 15000; // the API's contract: a heartbeat about every 15 s while playing

  function player(root) {
    const video = document.getElementById("video");
    const flash = document.getElementById("flash");
    const enrollment = root.dataset.enrollment;
    const lesson = root.dataset.lesson;
    const path = `/api/enrollments/${enrollment}/lessons/${lesson}/heartbeat`;
    let covered = 0; // seconds watched from the start without skipping (the server's number)
    let reached = 0; // the furthest position reached by playing in this page
    let timer = null;
    let queue = Promise.resolve();
    let stopped = false;

    function show(p) {
      covered = p.covered_seconds;
      reached = Math.max(reached, covered);
      document.getElementById("percent").textContent = `${p.percent}%`;
      document.getElementById("progress").value = Number(p.percent);
    }

    // One heartbeat with the current (or given) position, sent one after the other.
    function beat(playing = !video.paused, position = undefined) {
      const pos = Math.max(0, Math.floor(position === undefined ? video.currentTime : position));
      queue = queue.then(async () => {
        if (stopped) return null;
        const r = await tuoyu.call(path, "POST", { position: pos, playing: Boolean(playing) });
        if (r.ok) {
          show(r.data);
        } else if (r.status === 409 && r.data && r.data.covered_seconds !== undefined) {
          tuoyu.flash(flash, tuoyu.message(r.data), "error");
          covered = r.data.covered_seconds;
          reached = covered;
          video.currentTime = covered;
        } else {
          stopped = true; // not enrolled any more, class not running…: say so and stop sending
          stop();
          tuoyu.flash(flash, tuoyu.message(r.data, "进度未能记录"), "error");
        }
        return r;
      });
      return queue;
    }
    function start() {
      if (timer === null) timer = setInterval(() => beat(true), HEARTBEAT_MS);
    }
    function stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
    }

    video.addEventListener("play", () => {
      beat(true);
      start();
    });
    // The time played since the last heartbeat was watched: report it as playing, then stop.
    video.addEventListener("pause", () => {
      stop();
      if (!video.seeking) beat(true);
    });
    video.addEventListener("ended", () => {
      stop();
      beat(true);
    });
    video.addEventListener("timeupdate", () => {
      if (!video.seeking && video.currentTime - reached < 2) reached = Math.max(reached, video.currentTime);
    });
    // Skipping ahead never counts (the server refuses it); go back to where watching stopped.
    video.addEventListener("seeking", () => {
      const limit = Math.max(reached, covered) + 5;
      if (video.currentTime > limit) {
        video.currentTime = Math.max(reached, covered);
        tuoyu.flash(flash, "不能跳过未观看的内容，已回到上次连续观看的位置", "info");
      }
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden" && !video.paused) beat(true);
    });
    // A file that cannot load (missing, refused, network): say so instead of a silent black box.
    // The error may come before this script runs: video.error is checked once as well.
    const failed = () => {
      stop();
      const box = document.getElementById("video-error");
      box.textContent = "视频无法播放（文件不存在或网络问题），请稍后重试或联系培训基地";
      box.hidden = false;
    };
    video.addEventListener("error", failed);
    if (video.error) failed();

    (async () => {
      const r = await tuoyu.call(`/api/enrollments/${enrollment}/progress`);
      if (!r.ok) {
        tuoyu.flash(flash, tuoyu.message(r.data), "error");
        return;
      }
      const mine = r.data.find((p) => String(p.lesson_id) === String(lesson));
      if (mine) {
        show(mine);
        const resume = () => {
          if (covered > 0 && covered < video.duration) video.currentTime = covered;
        };
        if (video.readyState >= 1) resume();
        else video.addEventListener("loadedmetadata", resume, { once: true });
      }
    })();
    return { beat, state: () => ({ covered, reached }) };
  }

  return { baseTrainers, pool, bases, subsidies, player, showLater };
})();

document.addEventListener("DOMContentLoaded", () => {
  training.showLater();
  const path = location.pathname;
  const root = document.querySelector("[data-page=player]");
  if (root) window.tuoyuPlayer = training.player(root);
  else if (path.startsWith("/base/trainers")) training.baseTrainers();
  else if (path.startsWith("/dashboard/trainers")) training.pool();
  else if (path.startsWith("/dashboard/subsidies")) training.subsidies();
  else if (path.startsWith("/dashboard/bases")) training.bases();
});
