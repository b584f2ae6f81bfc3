// The trainee's pages (我的培训, 报名, 签到, 学习, 记录, 证书, 注册): fill the server-rendered shells from
// the JSON API with the trainee's own login cookie. DOM is built with tuoyu.h (never innerHTML).
"use strict";

const trainee = (() => {
  const h = (...a) => tuoyu.h(...a);
  const $ = (id) => document.getElementById(id);

  const STATUS = {
    confirmed: ["已报名", "valid"],
    waitlisted: ["候补", "warn"],
    cancelled: ["已取消", ""],
    completed: ["已结业", "valid"],
    not_completed: ["未结业", "bad"],
    not_admitted: ["候补未录取", ""],
  };
  const CATEGORY = { pre_job: "岗前培训", refresher: "在岗“回炉”培训", other: "其他培训" };
  const CERT_STATUS = {
    valid: ["有效", "valid"],
    suspended: ["已暂停", "warn"],
    revoked: ["已吊销", "bad"],
    superseded: ["已换发新证", ""],
    expired: ["已过期", "bad"],
  };
  const CHECKIN = {
    checked_in: "签到成功",
    already_checked_in: "您已签到，无需重复签到",
    checked_out: "签退成功",
    already_checked_out: "您已签退",
  };

  // The local (Beijing) date today as YYYY-MM-DD: business dates are local dates.
  function today() {
    const f = new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
    });
    return f.format(new Date());
  }

  function statusText(e) {
    if (e.status === "waitlisted") return `候补第${e.waitlist_position}位`;
    return (STATUS[e.status] || [e.status])[0];
  }

  function badge(text, kind) {
    return h("span", { class: "badge " + (kind || "") }, text);
  }

  function empty(list, text) {
    list.replaceChildren(h("li", { class: "muted" }, text));
  }

  // Hours as exact hundredths (the API sends decimals as strings): "16.0" + "2.5" = "18.5".
  function hundredths(value) {
    return Math.round(Number(value) * 100);
  }
  function hoursText(n) {
    return String(n / 100);
  }

  function hm(t) {
    return String(t || "").slice(0, 5);
  }

  async function me() {
    const r = await tuoyu.call("/api/auth/me");
    return r.ok ? r.data : null;
  }

  // ------------------------------------------------------------------ 我的培训 (/my)

  async function home() {
    const flash = $("flash");
    const account = await me();
    if (!account) return;
    if (account.identity_status === "pending") {
      $("identity-card").hidden = false;
      $("identity-form").addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const r = await tuoyu.call("/api/auth/verify-identity", "POST", { code: $("identity-code").value.trim() });
        if (r.ok) location.reload();
        else tuoyu.flash(flash, tuoyu.message(r.data), "error");
      });
    }
    await Promise.all([enrollments(flash), notices()]);
  }

  async function enrollments(flash) {
    const list = $("enrollments");
    const r = await tuoyu.call("/api/me/enrollments");
    if (!r.ok) {
      empty(list, tuoyu.message(r.data));
      return;
    }
    if (!r.data.length) empty(list, "还没有报名。");
    else list.replaceChildren(...r.data.map((e) => enrollmentItem(e, flash)));
    await upcoming(r.data.filter((e) => e.status === "confirmed" || e.status === "waitlisted"));
  }

  function enrollmentItem(e, flash) {
    const [, kind] = STATUS[e.status] || ["", ""];
    const li = h(
      "li",
      { class: "item", dataset: { enrollment: e.id } },
      h("div", { class: "item-head" }, h("strong", {}, e.offering_title), badge(statusText(e), kind)),
      h("div", { class: "muted" }, "报名时间 ", tuoyu.time(e.enrolled_at)),
      e.attended_hours !== null && e.attended_hours !== undefined
        ? h("div", { class: "muted" }, `实际学时 ${e.attended_hours} 小时`, e.outcome_reason ? `（${e.outcome_reason}）` : "")
        : null,
    );
    if (e.status === "confirmed") li.append(learnLink(e));
    if (e.status === "confirmed" || e.status === "waitlisted") li.append(cancelControl(e, li, flash));
    return li;
  }

  // 开始学习 / 继续学习: the first online lesson of the class not yet watched to the end (filled in
  // when the class has any; the player finds the trainee's own enrollment, no id to know).
  function learnLink(e) {
    const box = h("div", { class: "actions learn", hidden: true });
    tuoyu.call(`/api/enrollments/${e.id}/progress`).then((p) => {
      if (!p.ok || !p.data.length) return;
      const next = p.data.find((l) => Number(l.percent) < 100) || p.data[0];
      const started = p.data.some((l) => l.watched_seconds > 0);
      box.append(
        h("a", { class: "button inline", href: `/my/lessons/${next.lesson_id}?enrollment=${e.id}` },
          started ? "继续学习" : "开始学习"),
        h("span", { class: "muted" }, `在线课程 ${p.data.length} 节 · 下一节：${next.title}`));
      box.hidden = false;
    });
    return box;
  }

  // Cancelling asks once more in the page (no window.confirm: it is blocked in some in-app browsers).
  function cancelControl(e, li, flash) {
    const box = h("div", { class: "actions" });
    const ask = h("button", { type: "button", class: "secondary inline" }, "取消报名");
    const yes = h("button", { type: "button", class: "danger inline" }, "确定取消");
    const no = h("button", { type: "button", class: "secondary inline" }, "不取消");
    const question = h("span", { class: "confirm", hidden: true }, "确定取消这次报名吗？ ", yes, " ", no);
    ask.addEventListener("click", () => {
      ask.hidden = true;
      question.hidden = false;
      yes.focus();
    });
    no.addEventListener("click", () => {
      ask.hidden = false;
      question.hidden = true;
      ask.focus();
    });
    yes.addEventListener("click", async () => {
      yes.disabled = true;
      const r = await tuoyu.call(`/api/enrollments/${e.id}`, "DELETE");
      if (r.ok) {
        await enrollments(flash); // the list shows the cancellation before the message says so
        tuoyu.flash(flash, `已取消报名：${e.offering_title}`, "ok");
      } else {
        yes.disabled = false;
        tuoyu.flash(flash, tuoyu.message(r.data), "error");
      }
    });
    box.append(ask, question);
    return box;
  }

  async function upcoming(live) {
    const list = $("sessions");
    const day = today();
    const rows = [];
    await Promise.all(
      live.map(async (e) => {
        const r = await tuoyu.call(`/api/catalog/offerings/${e.offering_id}/sessions`);
        if (!r.ok) return;
        for (const s of r.data) {
          if (s.status === "scheduled" && s.day >= day) rows.push({ s, e });
        }
      }),
    );
    rows.sort((a, b) => (a.s.day + a.s.starts_at).localeCompare(b.s.day + b.s.starts_at));
    if (!rows.length) {
      empty(list, live.length ? "近期没有课次安排。" : "报名后，课次安排会显示在这里。");
      return;
    }
    list.replaceChildren(
      ...rows.slice(0, 12).map(({ s, e }) =>
        h(
          "li",
          { class: "item" },
          h("div", { class: "item-head" }, h("strong", {}, `${s.day} ${hm(s.starts_at)}–${hm(s.ends_at)}`),
            badge(s.mode === "live" ? "直播" : "线下", s.mode === "live" ? "warn" : "")),
          h("div", {}, s.topic || "课次", "（", e.offering_title, "）"),
          e.status === "waitlisted" ? h("div", { class: "muted" }, `您在候补第${e.waitlist_position}位，转正后才能签到`) : null,
          s.note ? h("div", { class: "muted" }, s.note) : null,
          s.mode === "live" && s.join_url && e.status === "confirmed" ? liveControl(s) : null,
        ),
      ),
    );
  }

  // A live session: entering records attendance (POST …/join), then the link to the live room.
  function liveControl(s) {
    const box = h("div", { class: "actions" });
    const join = h("button", { type: "button", class: "inline" }, "进入直播（记考勤）");
    join.addEventListener("click", async () => {
      join.disabled = true;
      const r = await tuoyu.call(`/api/sessions/${s.id}/join`, "POST");
      if (r.ok) {
        box.replaceChildren(
          h("span", { class: "flash ok", role: "status" }, r.data.status === "checked_in" ? "已进入直播，考勤已记录" : "已在直播中"),
          h("a", { class: "button inline", href: s.join_url, rel: "noopener noreferrer", target: "_blank" }, "打开直播间"),
        );
      } else {
        join.disabled = false;
        box.append(h("p", { class: "flash error", role: "alert" }, tuoyu.message(r.data)));
      }
    });
    box.append(join);
    return box;
  }

  async function notices() {
    const list = $("notices");
    const r = await tuoyu.call("/api/me/notifications");
    if (!r.ok) {
      empty(list, tuoyu.message(r.data));
      return;
    }
    if (!r.data.length) {
      empty(list, "暂无通知。");
      return;
    }
    list.replaceChildren(
      ...r.data.slice(0, 20).map((n) =>
        h("li", { class: "item" }, h("div", { class: "item-head" }, h("strong", {}, n.title),
          h("span", { class: "muted" }, tuoyu.time(n.created_at))), h("div", {}, n.text)),
      ),
    );
  }

  // ------------------------------------------------------------------ 报名 (/my/catalog)

  async function catalog() {
    const flash = $("flash");
    const [offers, districts, mine] = await Promise.all([
      tuoyu.call("/api/catalog/offerings"),
      tuoyu.call("/api/districts"),
      tuoyu.call("/api/me/enrollments"),
    ]);
    if (!offers.ok) {
      tuoyu.flash(flash, tuoyu.message(offers.data), "error");
      return;
    }
    const held = new Map();
    if (mine.ok) {
      for (const e of mine.data) if (e.status === "confirmed" || e.status === "waitlisted") held.set(e.offering_id, e);
    }
    const districtSelect = $("f-district");
    const present = new Set(offers.data.map((o) => o.district_code));
    for (const d of districts.ok ? districts.data : []) {
      if (present.has(d.code)) districtSelect.append(h("option", { value: d.code }, d.name));
    }
    const months = [...new Set(offers.data.map((o) => o.start_date.slice(0, 7)))].sort();
    for (const m of months) $("f-month").append(h("option", { value: m }, `${m.slice(0, 4)}年${m.slice(5)}月`));

    const render = () => {
      const f = {
        district: districtSelect.value,
        category: $("f-category").value,
        month: $("f-month").value,
        seats: $("f-seats").checked,
      };
      const shown = offers.data.filter(
        (o) =>
          (!f.district || o.district_code === f.district) &&
          (!f.category || o.course_category === f.category) &&
          (!f.month || o.start_date.startsWith(f.month)) &&
          (!f.seats || o.seats_left > 0),
      );
      $("count").textContent = `共 ${shown.length} 个班级开放报名`;
      const list = $("offerings");
      if (!shown.length) empty(list, "没有符合条件的班级。");
      else list.replaceChildren(...shown.map((o) => offeringItem(o, held, flash)));
    };
    $("filters").addEventListener("change", render);
    $("filters").addEventListener("submit", (ev) => ev.preventDefault());
    render();
  }

  function offeringItem(o, held, flash) {
    const seatsBadge = (left) => (left > 0 ? badge(`剩余 ${left} 个名额`, "valid") : badge("已满，可候补", "warn"));
    const seats = seatsBadge(o.seats_left);
    const state = h("div", { class: "actions" });
    const li = h(
      "li",
      { class: "item", dataset: { offering: o.id } },
      h("div", { class: "item-head" }, h("strong", {}, o.title), seats),
      h("div", {}, `${CATEGORY[o.course_category] || o.course_category} · ${o.course_hours} 学时`),
      h("div", { class: "muted" }, `${o.training_base_name} · ${o.district_name || o.district_code}`),
      h("div", { class: "muted" }, `${o.start_date} 至 ${o.end_date} · 共 ${o.session_count} 次课 · 容量 ${o.capacity}`),
      state,
    );
    const showHeld = (e) => state.replaceChildren(badge(statusText(e), (STATUS[e.status] || [])[1]),
      h("a", { href: "/my" }, "查看我的报名"));
    if (held.has(o.id)) {
      showHeld(held.get(o.id));
      return li;
    }
    const button = h("button", { type: "button", class: "inline" }, o.seats_left > 0 ? "报名" : "报名候补");
    button.setAttribute("aria-label", `报名：${o.title}`);
    button.addEventListener("click", async () => {
      button.disabled = true;
      const r = await tuoyu.call(`/api/offerings/${o.id}/enrollments`, "POST", {});
      if (r.ok) {
        held.set(o.id, r.data);
        showHeld(r.data);
        if (r.data.status === "confirmed") seats.replaceWith(seatsBadge(Math.max(0, o.seats_left - 1)));
        const text = r.data.status === "waitlisted"
          ? `名额已满，已加入候补：您是候补第${r.data.waitlist_position}位，有人取消时按顺序递补。`
          : `报名成功：${o.title}（已报名）`;
        tuoyu.flash(flash, text, r.data.status === "waitlisted" ? "info" : "ok");
      } else {
        button.disabled = false;
        tuoyu.flash(flash, tuoyu.message(r.data), "error");
      }
      flash.scrollIntoView({ block: "nearest" });
    });
    state.append(button);
    return li;
  }

  // ------------------------------------------------------------------ 签到 (/my/checkin, /checkin?t=)

  // The token from what a QR code or the clipboard holds: the check-in URL (?t=…) or the token.
  function tokenOf(text) {
    const value = String(text || "").trim();
    try {
      const url = new URL(value);
      return url.searchParams.get("t") || "";
    } catch (_) {
      return value;
    }
  }

  async function submitToken(token) {
    const out = $("result");
    if (!token) {
      tuoyu.flash(out, "没有识别到签到码，请扫描基地屏幕上的签到二维码", "error");
      return false;
    }
    tuoyu.flash(out, "正在签到…", "info");
    const r = await tuoyu.call("/api/checkin", "POST", { token });
    if (r.status === 401) return false;
    if (r.ok) {
      const d = r.data;
      let text = CHECKIN[d.status] || "已记录";
      if (d.late && d.status === "checked_in") text += "（迟到）";
      if (d.checked_in_at) text += ` · 签到时间 ${tuoyu.time(d.checked_in_at)}`;
      if (d.checked_out_at) text += ` · 签退时间 ${tuoyu.time(d.checked_out_at)}`;
      tuoyu.flash(out, text, "ok");
    } else {
      tuoyu.flash(out, tuoyu.message(r.data, "签到失败，请重新扫码"), "error");
    }
    out.scrollIntoView({ block: "nearest" });
    return r.ok;
  }

  function checkin() {
    const t = new URLSearchParams(location.search).get("t");
    if (t) {
      $("token").value = t;
      submitToken(t).then(() => history.replaceState(null, "", location.pathname));
    }
    $("token-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      submitToken(tokenOf($("token").value));
    });
    const scanner = camera();
    $("camera-start").addEventListener("click", scanner.start);
    $("camera-stop").addEventListener("click", scanner.stop);
  }

  // getUserMedia video → canvas → jsQR (vendored, served by the app) until a code is read.
  function camera() {
    const video = $("camera");
    const canvas = $("frame");
    const msg = $("camera-msg");
    let stream = null;
    let busy = false;

    function stop() {
      if (stream) stream.getTracks().forEach((t) => t.stop());
      stream = null;
      video.srcObject = null;
      $("scanner").hidden = true;
      $("camera-stop").hidden = true;
      $("camera-start").hidden = false;
    }

    async function tick() {
      if (!stream) return;
      if (!busy && video.readyState >= 2 && video.videoWidth) {
        const scale = Math.min(1, 640 / video.videoWidth);
        canvas.width = Math.round(video.videoWidth * scale);
        canvas.height = Math.round(video.videoHeight * scale);
        const ctx = canvas.getContext("2d", { willReadFrequently: true });
        ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
        const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
        const code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        if (code && code.data) {
          busy = true;
          tuoyu.flash(msg, "已识别二维码", "info");
          const ok = await submitToken(tokenOf(code.data));
          if (ok) {
            stop();
            return;
          }
          // refused (e.g. expired): keep scanning the screen's next code after a moment
          setTimeout(() => { busy = false; }, 2000);
        }
      }
      requestAnimationFrame(tick);
    }

    async function start() {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        tuoyu.flash(msg, "此浏览器不能在页面内使用相机，请用手机相机扫码，或粘贴签到链接", "error");
        return;
      }
      if (!window.jsQR) {
        tuoyu.flash(msg, "扫码组件未加载，请刷新页面", "error");
        return;
      }
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      } catch (err) {
        const denied = err && (err.name === "NotAllowedError" || err.name === "SecurityError");
        tuoyu.flash(msg, denied ? "未获得相机权限：请在浏览器设置中允许使用相机，或用手机相机扫码" : "无法打开相机，请用手机相机扫码或粘贴签到链接", "error");
        return;
      }
      video.srcObject = stream;
      $("scanner").hidden = false;
      $("camera-stop").hidden = false;
      $("camera-start").hidden = true;
      tuoyu.flash(msg, "请将二维码置于画面中", "info");
      await video.play();
      requestAnimationFrame(tick);
    }

    window.addEventListener("pagehide", stop);
    return { start, stop };
  }

  // ------------------------------------------------------------------ 记录 (/my/record)

  async function record() {
    const flash = $("flash");
    const account = await me();
    if (!account) return;
    if (!account.practitioner_id) {
      tuoyu.flash(flash, "完成实名验证后才能查看培训记录（见“我的培训”）", "info");
      empty($("trainings"), "暂无记录。");
      $("years").replaceChildren(h("tr", {}, h("td", { colspan: 3, class: "muted" }, "暂无记录")));
      return;
    }
    const r = await tuoyu.call(`/api/practitioners/${account.practitioner_id}/record`);
    if (!r.ok) {
      tuoyu.flash(flash, tuoyu.message(r.data), "error");
      return;
    }
    const trainings = r.data.trainings.slice().sort((a, b) => b.completed_on.localeCompare(a.completed_on));
    const years = new Map();
    for (const t of trainings) {
      const y = t.completed_on.slice(0, 4);
      const acc = years.get(y) || { count: 0, hours: 0 };
      acc.count += 1;
      acc.hours += hundredths(t.hours);
      years.set(y, acc);
    }
    const body = $("years");
    if (!years.size) body.replaceChildren(h("tr", {}, h("td", { colspan: 3, class: "muted" }, "暂无培训记录")));
    else body.replaceChildren(...[...years].map(([y, v]) =>
      h("tr", {}, h("th", { scope: "row" }, `${y}年`), h("td", {}, `${v.count} 次`), h("td", {}, `${hoursText(v.hours)} 小时`))));
    const list = $("trainings");
    if (!trainings.length) empty(list, "暂无培训记录。结业后培训记录会自动记入。");
    else list.replaceChildren(...trainings.map((t) => h(
      "li", { class: "item" },
      h("div", { class: "item-head" }, h("strong", {}, t.title), badge(CATEGORY[t.category] || t.category)),
      h("div", { class: "muted" }, `${t.completed_on} 结业 · ${t.hours} 学时`, t.provider ? ` · ${t.provider}` : ""),
    )));
  }

  // ------------------------------------------------------------------ 证书 (/my/certificates)

  async function certificates() {
    const flash = $("flash");
    const list = $("certificates");
    const r = await tuoyu.call("/api/me/certificates");
    if (!r.ok) {
      empty(list, tuoyu.message(r.data));
      return;
    }
    if (!r.data.length) {
      empty(list, "暂无证书。通过考核后，证书会显示在这里。");
      return;
    }
    const day = today();
    list.replaceChildren(...r.data.map((c) => {
      const key = c.status === "valid" && c.expires_on && c.expires_on < day ? "expired" : c.status;
      const [text, kind] = CERT_STATUS[key] || [c.status, ""];
      const n = encodeURIComponent(c.number);
      const qr = h("img", { src: `/api/certificates/${n}/qr.png`, alt: `证书 ${c.number} 的核验二维码`, class: "qr", width: 220, height: 220, loading: "lazy" });
      qr.addEventListener("error", () => qr.replaceWith(h("p", { class: "muted" }, "二维码生成中，请稍后刷新")));
      return h(
        "li", { class: "item cert", dataset: { number: c.number } },
        h("div", { class: "item-head" }, h("strong", {}, `${c.title}${c.level ? `（${c.level}）` : ""}`), badge(text, kind)),
        h("dl", {},
          h("dt", {}, "证书编号"), h("dd", {}, c.number),
          h("dt", {}, "持证人"), h("dd", {}, c.holder_name),
          h("dt", {}, "发证日期"), h("dd", {}, c.issued_on),
          h("dt", {}, "有效期至"), h("dd", {}, c.expires_on || "长期有效"),
          h("dt", {}, "发证机构"), h("dd", {}, c.issuer || "—"),
          c.status_reason ? [h("dt", {}, "状态说明"), h("dd", {}, c.status_reason)] : null,
          c.superseded_by ? [h("dt", {}, "新证编号"), h("dd", {}, c.superseded_by)] : null,
        ),
        h("figure", { class: "qr-box" }, qr, h("figcaption", { class: "hint" }, "向用人单位出示此二维码，扫码核验")),
        h("div", { class: "actions" },
          h("a", { class: "button inline", href: `/api/certificates/${n}/certificate.pdf`, download: `${c.number}.pdf` }, "下载证书 PDF"),
          c.verify_url ? h("a", { href: c.verify_url }, "打开核验页面") : null),
      );
    }));
    tuoyu.flash(flash, "", "info");
  }

  // ------------------------------------------------------------------ 学习 (/my/lessons)

  async function lessons() {
    const box = $("lessons");
    const r = await tuoyu.call("/api/me/enrollments");
    if (!r.ok) {
      box.replaceChildren(h("p", { class: "muted" }, tuoyu.message(r.data)));
      return;
    }
    const mine = r.data.filter((e) => e.status === "confirmed" || e.status === "completed");
    if (!mine.length) {
      box.replaceChildren(h("p", { class: "muted" }, "报名成功后，班级的在线课程会显示在这里。"));
      return;
    }
    const cards = await Promise.all(mine.map(async (e) => {
      const p = await tuoyu.call(`/api/enrollments/${e.id}/progress`);
      const rows = p.ok ? p.data : [];
      const id = `lessons-${e.id}`;
      return h("section", { class: "card", "aria-labelledby": id },
        h("h2", { id }, e.offering_title),
        !p.ok ? h("p", { class: "muted" }, tuoyu.message(p.data))
          : !rows.length ? h("p", { class: "muted" }, "本班级没有在线课程。")
            : h("ul", { class: "plain" }, ...rows.map((l) => {
              const pid = `lesson-${e.id}-${l.lesson_id}`;
              return h("li", { class: "item" },
                h("div", { class: "item-head" },
                  h("span", { id: pid }, e.status === "confirmed"
                    ? h("a", { href: `/my/lessons/${l.lesson_id}?enrollment=${e.id}` }, l.title)
                    : l.title),
                  h("span", {}, `${l.percent}%`)),
                h("progress", { max: 100, value: Number(l.percent), "aria-labelledby": pid }),
                h("div", { class: "muted" }, `时长 ${Math.round(l.duration_seconds / 60)} 分钟 · 已看 ${Math.round(l.watched_seconds / 60)} 分钟`));
            })));
    }));
    box.replaceChildren(...cards);
  }

  // ------------------------------------------------------------------ 注册 (/signup)

  function signup() {
    const flash = $("flash");
    let credentials = null;
    $("signup-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const fd = new FormData(ev.target);
      const body = Object.fromEntries(["username", "password", "id_number", "name", "phone"].map((k) => [k, String(fd.get(k) || "").trim()]));
      body.password = String(fd.get("password") || "");
      const button = ev.target.querySelector("button");
      button.disabled = true;
      const r = await tuoyu.call("/api/auth/register", "POST", body);
      if (!r.ok) {
        button.disabled = false;
        tuoyu.flash(flash, tuoyu.message(r.data, "注册失败，请检查填写的信息"), "error");
        return;
      }
      credentials = { username: body.username, password: body.password };
      const login = await tuoyu.call("/api/auth/login", "POST", credentials);
      if (!login.ok) {
        tuoyu.flash(flash, tuoyu.message(login.data, "账号已创建，请登录后在“我的培训”输入验证码"), "error");
        return;
      }
      await tuoyu.call("/api/auth/me"); // a first request with the login cookie sets the CSRF cookie
      $("next-step").textContent = r.data.next_step;
      $("signup-card").hidden = true;
      $("code-card").hidden = false;
      tuoyu.flash(flash, `账号 ${body.username} 已创建`, "ok");
      $("s-code").focus();
    });
    $("code-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const r = await tuoyu.call("/api/auth/verify-identity", "POST", { code: $("s-code").value.trim() });
      if (r.ok) {
        tuoyu.flash(flash, "实名验证完成，正在进入我的培训…", "ok");
        location.href = "/my";
      } else {
        tuoyu.flash(flash, tuoyu.message(r.data), "error");
      }
    });
  }

  const pages = { home, catalog, checkin, record, certificates, lessons, signup };
  return { pages, tokenOf };
})();

document.addEventListener("DOMContentLoaded", () => {
  const el = document.querySelector("[data-page]");
  const page = el && trainee.pages[el.dataset.page];
  if (page) page();
});
