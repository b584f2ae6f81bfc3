// Exam pages (service/pages_exams.py): the trainee's online theory exam and the examiner's
// practical double marking. Everything comes from the JSON API through app.js's `tuoyu`
// helpers; the DOM is built with tuoyu.h (never innerHTML with data).
//
// The countdown is driven by the SERVER: each attempt response carries `seconds_left` by the
// server's clock; the page turns it into a local monotonic deadline (performance.now()) when
// the response arrives, so a wrong phone clock changes nothing, and re-reads it on every save
// and every minute. At zero the page hands the paper in; the server accepts that within its
// grace period, or closes the attempt at the deadline itself.
"use strict";

const exams = {};
const h = (...a) => tuoyu.h(...a);
const STATUS_NAMES = { open: "作答中", submitted: "已交卷", expired: "超时收卷" };
const SITTING_NAMES = { scheduled: "已安排", issued: "已发证", cancelled: "已取消" };
const PRACTICAL_NAMES = {
  awaiting_first: ["待一评", ""],
  awaiting_second: ["待二评", ""],
  needs_third: ["需第三评", "warn"],
  final: ["已定分", "valid"],
};

exams.num = (v) => (v === null || v === undefined ? null : Number(v));
exams.fmt = (v) => (v === null || v === undefined ? "—" : String(v));
exams.clear = (el, ...children) => {
  el.replaceChildren(...children);
  return el;
};
exams.programmes = async () => {
  const r = await tuoyu.call("/api/catalog/programmes");
  return r.ok ? Object.fromEntries(r.data.map((p) => [p.code, p])) : {};
};
exams.badge = (text, kind = "") => h("span", { class: "badge " + kind }, text);

// ------------------------------------------------------------------ trainee: my exams
exams.myExams = async (root) => {
  const list = document.getElementById("exam-list");
  const msg = document.getElementById("msg");
  const [r, programmes] = await Promise.all([tuoyu.call("/api/me/exams"), exams.programmes()]);
  if (!r.ok) {
    exams.clear(list);
    tuoyu.flash(msg, tuoyu.message(r.data), "error");
    return;
  }
  if (!r.data.length) {
    exams.clear(list, h("div", { class: "card" }, h("p", {}, "您还没有报名任何考核场次。报名由实训基地在培训结业后办理。")));
    return;
  }
  exams.clear(list, ...r.data.map((e) => exams.examCard(e, programmes[e.programme_code])));
};

exams.examCard = (e, programme) => {
  const passMark = programme ? exams.num(programme.pass_mark_theory) : null;
  const theoryPassed = e.theory !== null && passMark !== null && exams.num(e.theory) >= passMark;
  const usedUp = e.attempts_used >= e.attempts_allowed && !e.open_attempt_id;
  let action = null;
  if (e.open_attempt_id) {
    action = h("a", { class: "button", href: `/my/exams/attempts/${e.open_attempt_id}` }, "继续考试");
  } else if (e.sitting_status === "scheduled" && !theoryPassed && !usedUp) {
    action = h("a", { class: "button", href: `/my/exams/${e.sitting_id}` }, "进入在线理论考试");
  }
  let outcome = null;
  if (e.passed === true) outcome = exams.badge("考核合格", "valid");
  else if (e.passed === false) outcome = exams.badge("考核未通过", "bad");
  return h(
    "article",
    { class: "card exam-card", dataset: { sitting: e.sitting_id } },
    h("h2", {}, e.title || (programme ? programme.title : e.programme_code)),
    h(
      "p",
      { class: "muted" },
      `${programme ? programme.title + "（" + programme.level + "）" : e.programme_code} · 考试日期 ${e.exam_date} · `,
      SITTING_NAMES[e.sitting_status] || e.sitting_status
    ),
    h(
      "div",
      { class: "scores" },
      h("span", {}, "理论：", h("strong", {}, exams.fmt(e.theory))),
      h("span", {}, "实操：", h("strong", {}, exams.fmt(e.practical))),
      // a theory score typed in by staff (no online attempt) leaves no online exam to count
      e.attempts_used || e.theory === null
        ? h("span", { class: "attempts" }, `在线考试次数：已用 ${e.attempts_used} / 共 ${e.attempts_allowed} 次`)
        : null,
      outcome
    ),
    usedUp && !theoryPassed ? h("p", { class: "flash error used-up", role: "status" }, "考试次数已用完") : null,
    theoryPassed && e.passed === null ? h("p", {}, exams.badge("理论考试已合格", "valid")) : null,
    action ? h("div", { class: "actions" }, action) : null
  );
};

// ------------------------------------------------------------------ trainee: one sitting
exams.sitting = async (root) => {
  const id = Number(root.dataset.sitting);
  const msg = document.getElementById("msg");
  const place = document.getElementById("sitting-action");
  const [r, programmes] = await Promise.all([tuoyu.call("/api/me/exams"), exams.programmes()]);
  if (!r.ok) return tuoyu.flash(msg, tuoyu.message(r.data), "error");
  const e = r.data.find((x) => x.sitting_id === id);
  if (!e) return tuoyu.flash(msg, "您未报名本场考试", "error");
  const p = programmes[e.programme_code] || {};
  document.getElementById("sitting-title").textContent = e.title || p.title || "在线理论考试";
  const facts = document.getElementById("sitting-facts");
  const row = (k, v) => [h("dt", {}, k), h("dd", {}, v)];
  exams.clear(
    facts,
    ...row("考核项目", p.title ? `${p.title}（${p.level}）` : e.programme_code),
    ...row("考试日期", e.exam_date),
    ...row("考试时长", p.theory_minutes ? `${p.theory_minutes} 分钟` : "—"),
    ...row("合格线", p.pass_mark_theory ? `${p.pass_mark_theory} 分（满分 100）` : "—"),
    ...row("考试次数", `已用 ${e.attempts_used} / 共 ${e.attempts_allowed} 次`),
    ...row("理论成绩", e.theory === null ? "尚无" : `${e.theory} 分（取最高一次）`)
  );
  const passed = e.theory !== null && p.pass_mark_theory && Number(e.theory) >= Number(p.pass_mark_theory);
  if (e.open_attempt_id) {
    place.append(h("a", { class: "button", href: `/my/exams/attempts/${e.open_attempt_id}` }, "继续考试"));
    return;
  }
  if (passed) return tuoyu.flash(msg, "理论考试已合格，无需重考", "ok");
  if (e.attempts_used >= e.attempts_allowed) return tuoyu.flash(msg, "考试次数已用完", "error");
  if (e.sitting_status !== "scheduled") return tuoyu.flash(msg, "本场考试已结束", "info");
  const start = h("button", { type: "button", id: "start" }, e.attempts_used ? "再考一次（开始计时）" : "开始考试（开始计时）");
  start.addEventListener("click", async () => {
    start.disabled = true;
    const s = await tuoyu.call(`/api/sittings/${id}/attempts`, "POST");
    if (s.ok) {
      location.href = `/my/exams/attempts/${s.data.id}`;
      return;
    }
    start.disabled = false;
    tuoyu.flash(msg, tuoyu.message(s.data), "error");
  });
  place.append(start);
};

// ------------------------------------------------------------------ trainee: the timed exam
exams.attempt = async (root) => {
  const id = Number(root.dataset.attempt);
  const box = document.getElementById("attempt-root");
  const msg = document.getElementById("msg");
  const state = { deadline: 0, timer: null, chain: Promise.resolve(), closing: false, data: null };

  const sync = (a) => {
    // the server's seconds_left, anchored to this page's monotonic clock on arrival
    state.deadline = performance.now() + a.seconds_left * 1000;
    state.data = a;
  };
  const left = () => Math.max(0, Math.ceil((state.deadline - performance.now()) / 1000));
  const clock = (s) => {
    const hh = Math.floor(s / 3600);
    const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
    const ss = String(s % 60).padStart(2, "0");
    return (hh ? hh + ":" : "") + mm + ":" + ss;
  };

  const showResult = (a, note) => {
    clearInterval(state.timer);
    const dialog = document.getElementById("confirm-submit");
    if (dialog.open) dialog.close(); // time ran out while the candidate was confirming
    const passed = a.passed === true;
    const usedUp = a.attempts_used >= a.attempts_allowed;
    exams.clear(
      box,
      h(
        "div",
        { class: "card", id: "result" },
        h("h1", { class: "page-title", id: "result-title", tabindex: "-1" }, `在线理论考试结果（第 ${a.number} 次）`),
        note ? h("p", { class: "flash info" }, note) : null,
        h("p", { class: "result-score" }, h("span", { id: "score" }, exams.fmt(a.score)), h("span", { class: "muted" }, ` / ${a.max_score} 分`)),
        h("p", {}, a.passed === null ? exams.badge("阅卷中") : exams.badge(passed ? "合格" : "不合格", passed ? "valid" : "bad")),
        h(
          "dl",
          {},
          h("dt", {}, "状态"), h("dd", {}, STATUS_NAMES[a.status] || a.status),
          h("dt", {}, "开始"), h("dd", {}, tuoyu.time(a.started_at)),
          h("dt", {}, "交卷"), h("dd", {}, tuoyu.time(a.closed_at)),
          h("dt", {}, "作答"), h("dd", {}, `${a.answered} / ${a.question_count} 题`),
          h("dt", {}, "次数"), h("dd", {}, `已用 ${a.attempts_used} / 共 ${a.attempts_allowed} 次`)
        ),
        !passed && usedUp ? h("p", { class: "flash error used-up" }, "考试次数已用完") : null,
        !passed && !usedUp ? h("p", {}, h("a", { class: "button", href: `/my/exams/${a.sitting_id}` }, "再考一次")) : null,
        h("p", {}, h("a", { href: "/my/exams" }, "返回我的考试"))
      )
    );
    document.getElementById("result-title").focus(); // screen readers start at the result
  };

  const refresh = async () => {
    const r = await tuoyu.call(`/api/attempts/${id}`);
    if (!r.ok) return tuoyu.flash(msg, tuoyu.message(r.data), "error");
    sync(r.data);
    if (r.data.status !== "open") showResult(r.data, r.data.status === "expired" ? "考试时间已到，试卷已按截止时间收卷，以截止前保存的答案计分。" : "");
    return r.data;
  };

  const submit = async (auto) => {
    if (state.closing) return;
    state.closing = true;
    clearInterval(state.timer);
    await state.chain; // the answers being saved go first
    let r;
    try {
      r = await tuoyu.call(`/api/attempts/${id}/submit`, "POST");
    } catch (_) {
      // offline: try again shortly (the server also closes the attempt at its deadline)
      tuoyu.flash(msg, auto ? "网络中断，交卷未成功，正在重试…" : "网络中断，交卷未成功，请联网后再交卷", "error");
      state.closing = false;
      state.timer = setInterval(tick, auto ? 3000 : 250);
      return;
    }
    if (r.ok) return showResult(r.data, auto ? "考试时间到，系统已自动交卷。" : "已交卷。");
    // late or closed already: the server closed it at the deadline; show what it holds
    const a = await refresh();
    if (a && a.status === "open") {
      state.closing = false;
      tuoyu.flash(msg, tuoyu.message(r.data), "error");
      tick();
      state.timer = setInterval(tick, 250);
    }
  };

  const countdown = () => document.getElementById("countdown");
  const tick = () => {
    const s = left();
    const el = countdown();
    if (el) {
      el.textContent = clock(s);
      el.classList.toggle("low", s <= 300);
    }
    if (s <= 0) submit(true);
  };

  const progress = () => {
    const answered = box.querySelectorAll("fieldset.question[data-answered='1']").length;
    const el = document.getElementById("progress");
    if (el) el.textContent = `已答 ${answered} / ${state.data.question_count} 题`;
    return answered;
  };

  const save = (fs, q) => {
    const inputs = [...fs.querySelectorAll("input")];
    const choice = inputs.filter((i) => i.checked).map((i) => i.value).join("");
    fs.dataset.answered = choice ? "1" : "0";
    progress();
    const note = fs.querySelector(".saved");
    note.className = "saved pending";
    note.textContent = "保存中…";
    // saves go one after another, so a later choice never lands before an earlier one
    state.chain = state.chain.then(async () => {
      try {
        const r = await tuoyu.call(`/api/attempts/${id}/answers`, "PUT", { answers: [{ position: q.position, choice }] });
        if (r.ok) {
          sync(r.data);
          note.className = "saved";
          note.textContent = choice ? "✓ 已保存" : "已清除";
        } else {
          note.className = "saved error";
          note.textContent = "未保存：" + tuoyu.message(r.data);
          if (r.status === 409) await refresh();
        }
      } catch (_) {
        // offline: the choice stays on screen but not on the server; say so plainly
        note.className = "saved error";
        note.textContent = "网络中断，本题未保存，请联网后重新选择";
      }
    });
  };

  const question = (q) => {
    const multi = q.kind === "multiple";
    const chosen = q.chosen || "";
    const legendId = `q${q.position}-legend`;
    const fs = h("fieldset", { class: "question", id: `q${q.position}`, dataset: { position: q.position, answered: chosen ? "1" : "0" } });
    fs.append(
      h("legend", { id: legendId }, h("span", { class: "qmeta" }, `第 ${q.position} 题 · ${q.kind_name}${multi ? "（选两项或以上）" : ""} · ${q.points} 分`), q.stem),
      ...q.options.map((o) =>
        h(
          "label",
          { class: "option" },
          h("input", { type: multi ? "checkbox" : "radio", name: `q${q.position}`, value: o.label, checked: chosen.includes(o.label), onchange: () => save(fs, q) }),
          h("span", {}, `${o.label}. ${o.text}`)
        )
      ),
      h("div", { class: "saved", role: "status" }, chosen ? "✓ 已保存" : "")
    );
    return fs;
  };

  const confirmSubmit = () => {
    const dialog = document.getElementById("confirm-submit");
    const unanswered = state.data.question_count - progress();
    document.getElementById("confirm-text").textContent =
      (unanswered ? `还有 ${unanswered} 题未作答。` : "全部题目已作答。") + `剩余时间 ${clock(left())}。交卷后不能再修改答案。`;
    dialog.showModal();
  };

  const a = await refresh();
  if (!a || a.status !== "open") return;
  exams.clear(
    box,
    h(
      "div",
      { class: "exam-bar" },
      h("div", {}, h("div", { class: "muted" }, "剩余时间"), h("div", { class: "countdown", id: "countdown", role: "timer", "aria-label": "剩余时间" }, clock(left()))),
      h("div", { class: "progress", id: "progress" }, "")
    ),
    h("h1", { class: "page-title" }, `在线理论考试（第 ${a.number} 次 / 共 ${a.attempts_allowed} 次）`),
    h("p", { class: "hint" }, `共 ${a.question_count} 题，满分 ${a.max_score} 分；截止 ${tuoyu.time(a.deadline)}（北京时间）。`),
    h("form", { id: "paper", onsubmit: (ev) => ev.preventDefault() }, ...a.questions.map(question)),
    h("div", { class: "submit-bar" }, h("button", { type: "button", id: "submit", onclick: confirmSubmit }, "交卷"))
  );
  progress();
  document.getElementById("confirm-no").addEventListener("click", () => document.getElementById("confirm-submit").close());
  document.getElementById("confirm-yes").addEventListener("click", () => {
    document.getElementById("confirm-submit").close();
    submit(false);
  });
  state.timer = setInterval(tick, 250);
  setInterval(() => {
    if (!state.closing) state.chain = state.chain.then(refresh).catch(() => {});
  }, 60000);
};

// ------------------------------------------------------------------ examiner: my sittings
exams.examinerHome = async (root) => {
  const body = document.querySelector("#sittings tbody");
  const msg = document.getElementById("msg");
  const [r, me, programmes] = await Promise.all([tuoyu.call("/api/me/sittings"), tuoyu.call("/api/auth/me"), exams.programmes()]);
  if (!r.ok) {
    exams.clear(body);
    return tuoyu.flash(msg, tuoyu.message(r.data), "error");
  }
  if (!r.data.length) {
    exams.clear(body, h("tr", {}, h("td", { colspan: "7" }, "暂无分配给您的考核场次")));
    return;
  }
  const overviews = await Promise.all(
    r.data.map((s) =>
      s.status === "cancelled" ? { ok: false, data: [] } : tuoyu.call(`/api/sittings/${s.id}/practical`)
    )
  );
  exams.clear(
    body,
    ...r.data.map((s, i) => {
      const rows = overviews[i].ok ? overviews[i].data : [];
      const todo = rows.filter((c) => exams.needsMeIn(s, c, me.data.id)).length;
      const p = programmes[s.programme_code];
      return h(
        "tr",
        { dataset: { sitting: s.id } },
        h("td", { class: "title" }, s.title || "考核场次 " + s.id),
        h("td", { dataset: { label: "项目" } }, p ? `${p.title}（${p.level}）` : s.programme_code),
        h("td", { dataset: { label: "考试日期" } }, s.exam_date),
        h("td", { dataset: { label: "状态" } }, SITTING_NAMES[s.status] || s.status),
        h("td", { dataset: { label: "考生" } }, String(rows.length)),
        h("td", { class: "todo", dataset: { label: "待我评分" } }, todo ? exams.badge(`${todo} 人`, "warn") : exams.badge("无", "valid")),
        h("td", { class: "actions" }, h("a", { class: "button inline", href: `/examiner/sittings/${s.id}` }, "评分"))
      );
    })
  );
};

// whether a candidate still waits for this examiner: not final, not marked by me, and a
// marking round is open (first, second, or a third one the difference calls for)
exams.needsMe = (c, myId) => c.status !== "final" && !c.markings.some((m) => m.examiner_id === myId);
exams.needsMeIn = (s, c, myId) => s.status === "scheduled" && exams.needsMe(c, myId);

// ------------------------------------------------------------------ examiner: marking
exams.examinerSitting = async (root) => {
  const id = Number(root.dataset.sitting);
  const msg = document.getElementById("msg");
  const body = document.querySelector("#candidates tbody");
  const panel = document.getElementById("marking-panel");
  const form = document.getElementById("marking-form");
  const itemsBox = document.getElementById("marking-items");
  const fmsg = document.getElementById("marking-msg");
  const [sittings, me, programmes] = await Promise.all([tuoyu.call("/api/me/sittings"), tuoyu.call("/api/auth/me"), exams.programmes()]);
  const sitting = sittings.ok ? sittings.data.find((s) => s.id === id) : null;
  if (!sitting || !me.ok) return tuoyu.flash(msg, "只能处理分配给本人的考试场次", "error");
  const p = programmes[sitting.programme_code] || {};
  const items = p.practical_items && p.practical_items.length ? p.practical_items : [{ code: "skill", title: "技能操作", max: "100" }];
  const myId = me.data.id;
  document.getElementById("sitting-title").textContent = `实操评分 · ${sitting.title || p.title || ""}`;
  document.getElementById("sitting-rule").textContent =
    `考试日期 ${sitting.exam_date}。双评：两位考评员独立评分，分差不超过 ${p.practical_tolerance} 分取平均分；` +
    `超过时须第三位考评员评分。实操合格线 ${p.pass_mark_practical} 分。其他考评员的评分在定分后才显示。`;
  let rows = [];
  let current = null;

  const mine = (c) => c.markings.find((m) => m.examiner_id === myId);
  const statusCell = (c) => {
    const [name, kind] = PRACTICAL_NAMES[c.status] || [c.status, ""];
    return h(
      "td",
      { dataset: { label: "评分状态" } },
      exams.badge(name, kind),
      c.status === "needs_third" ? h("div", { class: "markings" }, c.rule) : null
    );
  };
  // marking closes with the sitting (certificates issued, or cancelled)
  const canMark = (c) => sitting.status === "scheduled" && (!!mine(c) || exams.needsMe(c, myId));

  const render = () => {
    exams.clear(
      body,
      ...(rows.length
        ? rows.map((c) => {
            const m = mine(c);
            const button = canMark(c)
              ? h("button", { type: "button", class: "inline" + (m ? " secondary" : ""), onclick: () => open(c) }, m ? "修改评分" : "评分")
              : h("span", { class: "muted" }, sitting.status === "scheduled" ? "无需本人评分" : "评分已结束");
            return h(
              "tr",
              { class: current === c.practitioner_id ? "selected" : "", dataset: { practitioner: c.practitioner_id, status: c.status } },
              h("th", { scope: "row" }, `考生 ${c.practitioner_id}`),
              statusCell(c),
              h("td", { dataset: { label: "我的评分" } }, m ? `${m.total} 分` : "—"),
              h(
                "td",
                { class: "final", dataset: { label: "实操成绩" } },
                c.score === null ? "—" : `${c.score} 分`,
                c.status === "final" ? h("div", { class: "markings" }, c.rule) : null
              ),
              h("td", { class: "actions" }, button)
            );
          })
        : [h("tr", {}, h("td", { colspan: "5" }, "本场考试暂无考生"))])
    );
  };

  const load = async () => {
    const r = await tuoyu.call(`/api/sittings/${id}/practical`);
    if (!r.ok) return tuoyu.flash(msg, tuoyu.message(r.data), "error");
    rows = r.data;
    render();
  };

  // one item: a number from 0 to the item's maximum with at most one decimal
  const problem = (raw, max) => {
    const v = raw.trim().replace(/[０-９．]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0));
    if (v === "") return ["请填写分数", null];
    if (!/^\d+(\.\d)?$/.test(v)) return ["须为数字，最多一位小数", null];
    const n = Number(v);
    if (n > Number(max)) return [`不能超过满分 ${max} 分`, null];
    return ["", v];
  };

  const validate = (showAll) => {
    let total = 0;
    let ok = true;
    for (const it of items) {
      const input = document.getElementById(`item-${it.code}`);
      const err = document.getElementById(`item-${it.code}-err`);
      const [text, value] = problem(input.value, it.max);
      if (text) ok = false;
      else total += Math.round(Number(value) * 10); // tenths: exact, no float drift
      if (showAll || input.value !== "") {
        err.textContent = text;
        input.setAttribute("aria-invalid", text ? "true" : "false");
      }
    }
    document.getElementById("marking-total").textContent = String(total / 10);
    return ok;
  };

  const open = (c) => {
    current = c.practitioner_id;
    const m = mine(c);
    document.getElementById("marking-title").textContent = `考生 ${c.practitioner_id} · ${m ? "修改我的评分" : "录入评分"}`;
    exams.clear(
      itemsBox,
      ...items.map((it) =>
        h(
          "div",
          { class: "item-input" },
          h("label", { for: `item-${it.code}` }, `${it.title}（满分 ${it.max} 分）`),
          h("input", {
            id: `item-${it.code}`, name: it.code, type: "text", inputmode: "decimal", autocomplete: "off",
            "aria-describedby": `item-${it.code}-err`, value: m && m.items[it.code] !== undefined ? m.items[it.code] : "",
            oninput: () => validate(false),
          }),
          h("div", { class: "err", id: `item-${it.code}-err` })
        )
      )
    );
    tuoyu.flash(fmsg, "");
    panel.hidden = false;
    validate(false);
    render();
    document.getElementById(`item-${items[0].code}`).focus();
  };

  document.getElementById("marking-cancel").addEventListener("click", () => {
    panel.hidden = true;
    current = null;
    render();
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!validate(true)) return tuoyu.flash(fmsg, "请先更正标红的分数", "error");
    const scores = Object.fromEntries(items.map((it) => [it.code, problem(document.getElementById(`item-${it.code}`).value, it.max)[1]]));
    const save = document.getElementById("marking-save");
    save.disabled = true;
    const r = await tuoyu.call(`/api/sittings/${id}/practical/${current}`, "PUT", { items: scores });
    save.disabled = false;
    if (!r.ok) return tuoyu.flash(fmsg, tuoyu.message(r.data), "error");
    const c = r.data;
    rows = rows.map((x) => (x.practitioner_id === c.practitioner_id ? c : x));
    panel.hidden = true;
    current = null;
    render();
    if (c.status === "needs_third") tuoyu.flash(msg, `考生 ${c.practitioner_id}：已保存。${c.rule}`, "warn");
    else if (c.status === "final") tuoyu.flash(msg, `考生 ${c.practitioner_id}：已保存，实操成绩 ${c.score} 分（${c.rule}）`, "ok");
    else tuoyu.flash(msg, `考生 ${c.practitioner_id}：已保存（${c.rule}）`, "ok");
  });
  await load();
};

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("exams-page");
  if (!root) return;
  const page = {
    "my-exams": exams.myExams,
    sitting: exams.sitting,
    attempt: exams.attempt,
    "examiner-home": exams.examinerHome,
    "examiner-sitting": exams.examinerSitting,
  }[root.dataset.page];
  if (page) page(root);
});
