// Training base pages (/base…): every write goes through the JSON API with tuoyu.call (CSRF,
// 401 → login); the page is then reloaded so what is shown is what the server has. User data
// only ever becomes DOM text (tuoyu.h), never markup.
"use strict";

const base = {
  // A message to show after the reload that follows a write.
  later(text, kind = "ok") {
    sessionStorage.setItem("base-flash", JSON.stringify({ text, kind }));
  },
  reloadAt(hash) {
    if (hash) location.hash = hash;
    location.reload();
  },
  // Full-width digits and punctuation typed on a Chinese keyboard → ASCII ("８５．５" → "85.5").
  ascii(text) {
    return String(text || "")
      .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
      .replace(/\u3000/g, " ")
      .trim();
  },
  value(form, name) {
    const el = form.elements[name];
    return el ? base.ascii(el.value) : "";
  },
  int(form, name) {
    const v = base.value(form, name);
    return /^\d+$/.test(v) ? parseInt(v, 10) : v;
  },
  weekdays: ["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
};

// ----------------------------------------------------------------- forms (data-kind)
// Each kind: the API call for the form's values, and what to do with the answer.
const FORMS = {
  "create-offering": (f) => ({
    path: "/api/offerings",
    body: {
      course_id: base.int(f, "course_id"),
      training_base_id: parseInt(f.dataset.base, 10),
      title: base.value(f, "title"),
      start_date: base.value(f, "start_date"),
      end_date: base.value(f, "end_date"),
      capacity: base.int(f, "capacity"),
    },
    done: (d) => {
      base.later(`已开班：${d.title}`);
      base.reloadAt("o" + d.id);
    },
  }),
  "add-session": (f) => ({
    path: `/api/offerings/${f.dataset.offering}/sessions`,
    body: {
      day: base.value(f, "day"),
      starts_at: base.value(f, "starts_at"),
      ends_at: base.value(f, "ends_at"),
      topic: base.value(f, "topic"),
    },
    done: (d) => {
      base.later(`已添加课次：${d.day}`);
      base.reloadAt("o" + f.dataset.offering);
    },
  }),
  recurring: (f) => ({
    path: `/api/offerings/${f.dataset.offering}/recurring-sessions`,
    body: {
      weekdays: Array.from(f.querySelectorAll("input[name=weekdays]:checked")).map((c) => parseInt(c.value, 10)),
      first_day: base.value(f, "first_day"),
      last_day: base.value(f, "last_day"),
      starts_at: base.value(f, "starts_at"),
      ends_at: base.value(f, "ends_at"),
      topic: base.value(f, "topic"),
      skip_dates: base
        .value(f, "skip_dates")
        .split(/[\s,，、;；]+/)
        .filter(Boolean)
        .map((s) => s.replace(/[/.]/g, "-")),
    },
    check: (body) => (body.weekdays.length ? "" : "请至少选择一个每周上课日"),
    done: (d) => {
      const skipped = d.skipped.length ? `，跳过节假日 ${d.skipped.join("、")}` : "";
      base.later(`已生成 ${d.sessions.length} 次课${skipped}`);
      base.reloadAt("o" + f.dataset.offering);
    },
  }),
  "move-session": (f) => ({
    path: `/api/sessions/${f.dataset.session}/move`,
    body: {
      day: base.value(f, "day"),
      starts_at: base.value(f, "starts_at"),
      ends_at: base.value(f, "ends_at"),
      reason: base.value(f, "reason"),
    },
    done: (d) => {
      base.later(`已调课到 ${d.day}，已通知学员`);
      base.reloadAt("o" + f.dataset.offering);
    },
  }),
  "cancel-session": (f) => ({
    path: `/api/sessions/${f.dataset.session}/cancel`,
    body: { reason: base.value(f, "reason") },
    done: (d) => {
      base.later(`已停课：${d.day}，已通知学员`);
      base.reloadAt("o" + f.dataset.offering);
    },
  }),
  enroll: (f) => ({
    path: `/api/offerings/${f.dataset.offering}/enrollments`,
    body: { id_number: base.value(f, "id_number").toUpperCase(), name: base.value(f, "name") },
    done: (d) => {
      base.later(
        d.status === "waitlisted" ? `已报名：${d.practitioner_name}（候补第 ${d.waitlist_position} 位）` : `已报名：${d.practitioner_name}`
      );
      location.reload();
    },
  }),
  register: (f) => ({
    path: `/api/sittings/${f.dataset.sitting}/candidates`,
    body: { practitioner_id: base.int(f, "practitioner_id") },
    done: () => {
      const chosen = f.elements.practitioner_id;
      base.later(`已报名考生：${chosen.options[chosen.selectedIndex].text}`);
      location.reload();
    },
  }),
  "create-sitting": (f) => ({
    path: "/api/sittings",
    body: {
      programme_code: base.value(f, "programme_code"),
      training_base_id: parseInt(f.dataset.base, 10),
      exam_date: base.value(f, "exam_date"),
      title: base.value(f, "title"),
    },
    done: (d) => {
      base.later("已安排考试场次");
      location.href = `/base/sittings/${d.id}`;
    },
  }),
};

function bindForms() {
  document.querySelectorAll("form[data-kind]").forEach((form) => {
    const make = FORMS[form.dataset.kind];
    if (!make) return;
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const out = form.querySelector(".flash");
      const spec = make(form);
      const problem = spec.check ? spec.check(spec.body) : "";
      if (problem) return tuoyu.flash(out, problem, "error");
      const button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      tuoyu.flash(out, "正在提交…", "info");
      const r = await tuoyu.call(spec.path, "POST", spec.body);
      if (button) button.disabled = false;
      if (r.ok) spec.done(r.data);
      else tuoyu.flash(out, tuoyu.message(r.data), "error");
    });
  });
  document.querySelectorAll("button[data-toggle]").forEach((b) => {
    b.addEventListener("click", () => {
      const target = document.getElementById(b.dataset.toggle);
      if (!target) return;
      target.hidden = !target.hidden;
      b.setAttribute("aria-expanded", String(!target.hidden));
      if (!target.hidden) {
        const first = target.querySelector("input");
        if (first) first.focus();
      }
    });
  });
}

// ----------------------------------------------------------------- attendance by tapping
// A tap moves a name on: 未记录 → 出勤 → 迟到 → 缺勤 → 出勤 … Every tap is written at once (the
// last mark wins; the server keeps each earlier one in the attendance history). 迟到 is present
// and late, the same as a QR check-in after the grace period: it counts as attended.
const STATE_TEXT = { none: "未记录", present: "出勤", late: "迟到", absent: "缺勤" };
const NEXT_STATE = { none: "present", present: "late", late: "absent", absent: "present" };

function setTap(button, state) {
  button.dataset.state = state;
  button.setAttribute("aria-pressed", String(state === "present" || state === "late"));
  button.setAttribute("aria-label", `${button.dataset.name}：${STATE_TEXT[state]}，点按改为${STATE_TEXT[NEXT_STATE[state]]}`);
  button.replaceChildren(button.dataset.name, tuoyu.h("span", { class: "state" }, STATE_TEXT[state]));
}

function countTaps() {
  const taps = Array.from(document.querySelectorAll("#tap-list .tap"));
  document.getElementById("present-count").textContent = String(
    taps.filter((t) => t.dataset.state === "present" || t.dataset.state === "late").length
  );
  document.getElementById("late-count").textContent = String(taps.filter((t) => t.dataset.state === "late").length);
  document.getElementById("expected-count").textContent = String(taps.length);
}

async function loadAttendance(sessionId) {
  const msg = document.getElementById("att-msg");
  const r = await tuoyu.call(`/api/sessions/${sessionId}/attendance`);
  if (!r.ok) return tuoyu.flash(msg, tuoyu.message(r.data), "error");
  const rows = new Map(r.data.map((row) => [row.enrollment_id, row]));
  document.querySelectorAll("#tap-list .tap").forEach((t) => {
    const row = rows.get(parseInt(t.dataset.enrollment, 10));
    setTap(t, !row ? "none" : !row.present ? "absent" : row.late ? "late" : "present");
  });
  countTaps();
  tuoyu.flash(msg, "", "info");
}

function bindAttendance() {
  const select = document.getElementById("att-session");
  if (!select) return;
  select.addEventListener("change", () => loadAttendance(select.value));
  document.querySelectorAll("#tap-list .tap").forEach((t) => {
    setTap(t, "none");
    t.addEventListener("click", async () => {
      const next = NEXT_STATE[t.dataset.state] || "present";
      t.disabled = true;
      const r = await tuoyu.call(`/api/sessions/${select.value}/attendance`, "POST", {
        entries: [{
          enrollment_id: parseInt(t.dataset.enrollment, 10),
          present: next !== "absent",
          late: next === "late",
        }],
        method: "roster",
      });
      t.disabled = false;
      const msg = document.getElementById("att-msg");
      if (!r.ok) return tuoyu.flash(msg, tuoyu.message(r.data), "error");
      setTap(t, next);
      countTaps();
      tuoyu.flash(msg, `${t.dataset.name}：${STATE_TEXT[next]}`, "ok");
    });
  });
  countTaps();
  loadAttendance(select.value);
}

// ----------------------------------------------------------------- completion
function bindCompletion() {
  const button = document.getElementById("complete");
  if (!button) return;
  button.addEventListener("click", async () => {
    const msg = document.getElementById("complete-msg");
    button.disabled = true;
    tuoyu.flash(msg, "正在结业…", "info");
    const r = await tuoyu.call(`/api/offerings/${button.dataset.offering}/complete`, "POST");
    if (!r.ok) {
      button.disabled = false;
      return tuoyu.flash(msg, tuoyu.message(r.data), "error");
    }
    const d = r.data;
    base.later(
      `${d.already_completed ? "本班此前已结业。" : "已结业。"}结业 ${d.completed} 人，未结业 ${d.not_completed} 人（规则：${d.rule}）；原因见名单“说明”`
    );
    location.reload();
  });
  const print = document.getElementById("print-roster");
  if (print) print.addEventListener("click", () => window.print());
}

// ----------------------------------------------------------------- check-in screen
function bindCheckin() {
  const box = document.getElementById("checkin");
  if (!box) return;
  const session = box.dataset.session;
  const refresh = Math.max(1, parseInt(box.dataset.refresh, 10) || 15) * 1000;
  const img = document.getElementById("qr");
  const msg = document.getElementById("msg");
  let purpose = "checkin";
  let changeAt = 0;
  let timer = null;

  async function token() {
    clearTimeout(timer);
    const r = await tuoyu.call(`/api/sessions/${session}/checkin-token`, "POST", { purpose });
    if (!r.ok) {
      tuoyu.flash(msg, tuoyu.message(r.data), "error");
      timer = setTimeout(token, 5000);
      return;
    }
    const qr = qrcode(0, "M");
    qr.addData(r.data.url);
    qr.make();
    img.src = qr.createDataURL(8, 4);
    img.dataset.expires = r.data.expires_at;
    // A token is accepted until the end of the next window (expires_at); the screen shows a new
    // one as soon as its own window ends, one window (refresh_seconds) earlier.
    changeAt = Date.parse(r.data.expires_at) - r.data.refresh_seconds * 1000;
    if (msg.classList.contains("error")) tuoyu.flash(msg, "", "info");
    timer = setTimeout(token, Math.max(500, Math.min(refresh, changeAt - Date.now() + 250)));
  }

  async function count() {
    const r = await tuoyu.call(`/api/sessions/${session}/attendance`);
    if (r.ok) {
      // a check-in of an enrollment cancelled since then stays on record but is not counted
      const present = r.data.filter((row) => row.present && row.enrollment_status !== "cancelled");
      document.getElementById("checked-count").textContent = String(new Set(present.map((row) => row.practitioner_id)).size);
    }
  }

  setInterval(() => {
    const left = changeAt ? Math.max(0, Math.ceil((changeAt - Date.now()) / 1000)) : "--";
    document.getElementById("countdown").textContent = String(left);
  }, 250);
  setInterval(count, Math.min(refresh, 5000));
  box.querySelectorAll("button[data-purpose]").forEach((b) => {
    b.addEventListener("click", () => {
      purpose = b.dataset.purpose;
      box.querySelectorAll("button[data-purpose]").forEach((o) => {
        const on = o === b;
        o.setAttribute("aria-pressed", String(on));
        o.classList.toggle("secondary", !on);
      });
      document.getElementById("purpose-name").textContent = purpose === "checkin" ? "签到" : "签退";
      token();
    });
  });
  token();
  count();
}

// ----------------------------------------------------------------- scores and issuance
const SCORE = /^(100(\.0)?|\d{1,2}(\.\d)?)$/;
const PART = { theory: "理论", practical: "实操" };

function bindScores() {
  const form = document.getElementById("scores");
  if (form) {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const msg = document.getElementById("scores-msg");
      const problems = [];
      const results = [];
      let firstBad = null;
      form.querySelectorAll("tbody tr").forEach((tr) => {
        const name = tr.dataset.name;
        const inputs = { theory: tr.querySelector("input[name=theory]"), practical: tr.querySelector("input[name=practical]") };
        const values = { theory: base.ascii(inputs.theory.value), practical: base.ascii(inputs.practical.value) };
        Object.values(inputs).forEach((i) => i.removeAttribute("aria-invalid"));
        if (!values.theory && !values.practical) return;
        let ok = true;
        for (const part of ["theory", "practical"]) {
          let problem = "";
          if (!values[part]) problem = `请填写${name}的${PART[part]}成绩`;
          else if (!SCORE.test(values[part]))
            problem = `${name}的${PART[part]}成绩「${values[part]}」无效：须为 0–100 之间的数字，最多一位小数`;
          if (problem) {
            ok = false;
            problems.push(problem);
            inputs[part].setAttribute("aria-invalid", "true");
            firstBad = firstBad || inputs[part];
          }
        }
        if (ok) results.push({ practitioner_id: parseInt(tr.dataset.practitioner, 10), theory: values.theory, practical: values.practical });
      });
      if (problems.length) {
        firstBad.focus();
        return tuoyu.flash(msg, "未保存：" + problems.join("；"), "error");
      }
      if (!results.length) return tuoyu.flash(msg, "请至少填写一名考生的成绩", "error");
      const r = await tuoyu.call(`/api/sittings/${form.dataset.sitting}/results`, "POST", { results });
      if (!r.ok) return tuoyu.flash(msg, tuoyu.message(r.data), "error");
      const passed = r.data.filter((x) => x.passed).length;
      base.later(`已保存 ${r.data.length} 人的成绩，其中通过 ${passed} 人`);
      location.reload();
    });
  }
  const issue = document.getElementById("issue");
  if (issue) {
    issue.addEventListener("click", async () => {
      const msg = document.getElementById("issue-msg");
      issue.disabled = true;
      tuoyu.flash(msg, "正在发证…", "info");
      const r = await tuoyu.call(`/api/sittings/${issue.dataset.sitting}/issue`, "POST");
      if (!r.ok) {
        issue.disabled = false;
        return tuoyu.flash(msg, tuoyu.message(r.data), "error");
      }
      base.later(`已发证 ${r.data.length} 张`);
      location.reload();
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const saved = sessionStorage.getItem("base-flash");
  if (saved) {
    sessionStorage.removeItem("base-flash");
    const { text, kind } = JSON.parse(saved);
    tuoyu.flash(document.getElementById("msg"), text, kind);
  }
  const hash = location.hash.match(/^#o(\d+)$/);
  if (hash) {
    const card = document.getElementById("o" + hash[1]);
    if (card) {
      const details = card.querySelector("details");
      if (details) details.open = true;
      card.scrollIntoView();
    }
  }
  bindForms();
  bindAttendance();
  bindCompletion();
  bindCheckin();
  bindScores();
});
