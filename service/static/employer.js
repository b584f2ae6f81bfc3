// Employer pages (托育机构人事): 证书核验 with the phone camera (jsQR, vendored) or a typed number,
// 人证核验 (一致 / 不一致 only), 本单位人员 (持证上岗 and this year's training), 批量核验 (background job,
// progress, .xlsx), 人才库 (talent search, contact requests, agencies' recommendations). Data from the
// JSON API; DOM built with tuoyu.h (never innerHTML).
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const h = (...a) => tuoyu.h(...a);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  // verification outcome → [large word, colour class, explanation]
  const OUTCOMES = {
    valid: ["有效", "valid", "证书真实有效。请与证书原件逐项核对以下信息。"],
    expired: ["已过期", "warn", "证书已超过有效期，不能作为持证上岗依据，请提醒持证人办理延续。"],
    revoked: ["已吊销", "bad", "证书已被发证机构吊销，不能作为持证上岗依据。"],
    suspended: ["已暂停", "bad", "证书目前处于暂停状态，不能作为持证上岗依据。"],
    superseded: ["已换发新证", "warn", "该证书已换发（延续或补发），请向持证人索取新证书并核验新证书。"],
    recorded: [
      "有记录",
      "info",
      "该证书由外部机构颁发，信息从其记录导入本平台；没有本平台的电子签名，请务必核对纸质原件。",
      "（外部导入，无电子签名）",
    ],
    unknown: ["查无此证", "bad", "系统中没有该编号的证书，请核对编号；如二维码来自证书原件，请联系发证机构。"],
    forged: ["签名无效", "bad", "二维码中的数字签名与证书信息不符，证书可能被篡改或伪造。"],
  };
  const POSITIONS = { carer: "保育人员", teacher: "教师", health: "保健人员", manager: "管理人员", other: "其他" };
  // today's local date in Jinan (YYYY-MM-DD), never the device's UTC date
  const today = () => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
  const MATCH_CLASS = { 一致: "valid", 不一致: "bad", 无法核对: "warn" };

  async function getJSON(path) {
    const r = await tuoyu.api(path, { headers: { Accept: "application/json" } });
    let data = {};
    try {
      data = await r.json();
    } catch (_) {
      data = {};
    }
    return { ok: r.ok, status: r.status, data, retryAfter: tuoyu.retryAfter(r) };
  }

  function failText(res) {
    // the server says which limit and how long (a claim's daily budget: until tomorrow); where
    // it only says 请稍后再试, the Retry-After header's seconds say when
    if (res.status !== 429) return tuoyu.message(res.data);
    const text = tuoyu.message(res.data, "操作过于频繁，请稍后再试");
    const wait = res.retryAfter || 0;
    if (wait <= 0 || !text.includes("请稍后再试")) return text;
    const when = wait <= 90 ? `${wait} 秒` : `${Math.ceil(wait / 60)} 分钟`;
    return text.replace("请稍后再试", `请 ${when}后再试`);
  }

  // ------------------------------------------------------------------ 证书核验 + 人证核验
  function initVerify() {
    const form = $("verify-form");
    if (!form) return;
    const numberInput = $("cert-number");
    const msg = $("verify-msg");
    let current = "";

    // A scanned URL on another site than this platform's public verify origins (given by the
    // server: TUOYU_PUBLIC_URL's, then TUOYU_EARLIER_PUBLIC_URLS') or this page's own: what it
    // says, prominent above the verdict.
    const originWarning = (host) => `此二维码指向其他网站（${host}），并非本平台的核验地址，请谨慎核对`;
    const ownOrigins = new Set([location.origin]);
    const dataset = $("verify-page").dataset;
    for (const given of `${dataset.publicOrigins || ""} ${dataset.publicOrigin || ""}`.split(" ")) {
      try {
        if (given) ownOrigins.add(new URL(given).origin);
      } catch (_) {
        /* not a usable origin: skipped */
      }
    }

    function show(r, foreignHost = "") {
      const [word, cls, note, sub] = OUTCOMES[r.outcome] || [r.outcome, "warn", ""];
      $("result-card").hidden = false;
      const alert = $("origin-alert");
      alert.hidden = !foreignHost;
      alert.replaceChildren(
        ...(foreignHost
          ? [
              h("strong", {}, originWarning(foreignHost)),
              "下方是本平台按该证书编号核验的结果。用手机相机直接扫描这个二维码会打开其他网站，那里显示的内容不可信。",
            ]
          : [])
      );
      const verdict = $("verdict");
      verdict.replaceChildren(word, sub ? h("small", { class: "verdict-sub" }, sub) : "");
      verdict.className = "verdict " + cls;
      verdict.dataset.outcome = r.outcome;
      $("verdict-note").textContent = note;
      const dl = $("result-details");
      dl.replaceChildren();
      const add = (k, v) => {
        if (v === null || v === undefined || v === "") return;
        dl.append(h("dt", {}, k), h("dd", {}, v));
      };
      add("证书编号", r.number);
      if (r.outcome !== "unknown" && r.outcome !== "forged") {
        add("持证人", r.holder_name_masked);
        add("身份证号", r.holder_id_masked);
        add("证书名称", r.programme_title);
        add("等级", r.level);
        add("发证日期", r.issued_on);
        add("有效期至", r.expires_on || "长期有效");
        add("发证机构", r.issuer);
        if (r.status_changed_on) add("状态变更", r.status_changed_on);
        add(
          "签名",
          r.signature_checked
            ? "二维码数字签名已验证"
            : r.reason === "imported_record"
              ? "外部导入记录，无电子签名"
              : "按编号查询，未校验二维码签名：请与证书原件核对"
        );
      }
      if (r.number) numberInput.value = r.number; // as normalised by the server
      const matchable = r.outcome !== "unknown" && r.outcome !== "forged";
      current = matchable ? r.number : "";
      $("match-card").hidden = !matchable;
      $("match-verdict").textContent = "";
      $("match-details").replaceChildren();
      tuoyu.flash($("match-msg"), "");
      $("result-card").scrollIntoView({ block: "start" });
    }

    // The number as the server normalises it (certification.numbers.normalise_number): NFKC
    // (full-width → half-width), no white space or invisible format characters, upper-case.
    const normalise = (raw) => raw.normalize("NFKC").replace(/[\s\p{Cf}]/gu, "").toUpperCase();
    // A certificate number: this platform's 22 characters (S/Y + 21 digits) or another issuer's
    // 4–40 letters, digits and "-" (certification._verification.IMPORTED_NUMBER_RE). Anything else
    // (a "/", "<", ".", Chinese text …) is refused here, before it could become a URL path.
    const WELL_FORMED = /^[A-Z0-9][A-Z0-9-]{3,39}$/;
    const MALFORMED =
      "证书编号格式不正确：编号由 4–40 位字母、数字或“-”组成（本平台的证书编号为 S 或 Y 开头的 22 位），请对照证书原件重新输入";

    function refuse(text) {
      $("result-card").hidden = true;
      $("match-card").hidden = true;
      current = "";
      numberInput.setAttribute("aria-invalid", "true");
      tuoyu.flash(msg, text, "error");
      numberInput.focus();
    }

    async function verifyNumber(raw) {
      const number = normalise(raw);
      numberInput.removeAttribute("aria-invalid");
      if (!number) {
        refuse("请输入证书编号，或扫描证书上的二维码");
        return;
      }
      if (!WELL_FORMED.test(number)) {
        refuse(MALFORMED);
        return;
      }
      tuoyu.flash(msg, "正在查询…", "info");
      const res = await getJSON("/api/verify/" + encodeURIComponent(number));
      if (!res.ok) {
        tuoyu.flash(msg, failText(res), "error");
        return;
      }
      if (res.data.reason === "malformed_number") {
        refuse(MALFORMED);
        return;
      }
      tuoyu.flash(msg, "");
      show(res.data);
    }

    // A scanned QR code: the certificate's verify URL (/v/<number>?signed fields) is checked with
    // its signature on this server; a bare number is looked up like a typed one.
    async function verifyScanned(text) {
      let url = null;
      try {
        url = new URL(text.trim(), location.origin);
      } catch (_) {
        url = null;
      }
      const m = url && /^\/v\/([^/]+)$/.exec(url.pathname);
      if (m) {
        // another site's URL is still checked here (number and signed fields), with a warning
        const foreign = ownOrigins.has(url.origin) ? "" : url.host || url.protocol;
        numberInput.value = decodeURIComponent(m[1]);
        tuoyu.flash(msg, "已读取二维码，正在核验…", "info");
        const res = await getJSON("/v/" + m[1] + url.search);
        if (!res.ok) {
          tuoyu.flash(msg, failText(res) + (foreign ? "。" + originWarning(foreign) : ""), "error");
          return;
        }
        // the line above the result claims nothing the verdict could deny (a forged signature
        // was checked too): only a valid certificate with its signature verified is green
        if (foreign) tuoyu.flash(msg, originWarning(foreign), "error");
        else if (res.data.outcome === "valid" && res.data.signature_checked)
          tuoyu.flash(msg, "已读取二维码：数字签名已验证", "ok");
        else tuoyu.flash(msg, "已读取二维码，核验结果见下方", "info");
        show(res.data, foreign);
        return;
      }
      if (/^[A-Za-z0-9-]{4,40}$/.test(text.trim())) {
        numberInput.value = text.trim();
        await verifyNumber(text);
        return;
      }
      tuoyu.flash(msg, "这不是本平台证书的二维码，请扫描证书上的核验二维码或输入编号", "error");
    }

    function decode(source, width, height, attempts) {
      const scale = Math.min(1, 1024 / Math.max(width, height));
      const w = Math.max(1, Math.round(width * scale));
      const hgt = Math.max(1, Math.round(height * scale));
      const canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = hgt;
      const ctx = canvas.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(source, 0, 0, w, hgt);
      const img = ctx.getImageData(0, 0, w, hgt);
      const code = window.jsQR(img.data, w, hgt, { inversionAttempts: attempts });
      return code && code.data ? code.data : "";
    }

    // camera: getUserMedia → <video> → canvas → jsQR, a few frames a second until a code is read
    const video = $("scan-video");
    let stream = null;
    let timer = 0;
    function stopScan() {
      if (timer) clearTimeout(timer);
      timer = 0;
      if (stream) stream.getTracks().forEach((t) => t.stop());
      stream = null;
      video.srcObject = null;
      $("scanner").hidden = true;
      $("scan-start").disabled = false;
    }
    function tick() {
      timer = 0;
      if (!stream) return;
      if (video.readyState >= 2 && video.videoWidth) {
        const text = decode(video, video.videoWidth, video.videoHeight, "dontInvert");
        if (text) {
          stopScan();
          verifyScanned(text);
          return;
        }
      }
      timer = setTimeout(tick, 200);
    }
    $("scan-start").addEventListener("click", async () => {
      if (!window.jsQR || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        tuoyu.flash(msg, "此浏览器无法使用摄像头扫码，请选择二维码照片或输入证书编号", "error");
        return;
      }
      $("scan-start").disabled = true;
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          video: { facingMode: { ideal: "environment" } },
          audio: false,
        });
      } catch (e) {
        $("scan-start").disabled = false;
        const why = e && e.name === "NotAllowedError" ? "未获得摄像头权限" : "摄像头不可用";
        tuoyu.flash(msg, `无法打开摄像头（${why}），请选择二维码照片或输入证书编号`, "error");
        return;
      }
      video.srcObject = stream;
      $("scanner").hidden = false;
      tuoyu.flash(msg, "正在扫描…", "info");
      try {
        await video.play();
      } catch (_) {
        /* autoplay of a muted inline video is allowed; keep reading frames anyway */
      }
      tick();
    });
    $("scan-stop").addEventListener("click", () => {
      stopScan();
      tuoyu.flash(msg, "");
    });
    window.addEventListener("pagehide", stopScan);

    $("qr-file").addEventListener("change", async (e) => {
      const file = e.target.files && e.target.files[0];
      if (!file) return;
      if (!window.jsQR) {
        tuoyu.flash(msg, "二维码识别组件未能加载，请输入证书编号", "error");
        return;
      }
      let text = "";
      try {
        const bitmap = await createImageBitmap(file);
        text = decode(bitmap, bitmap.width, bitmap.height, "attemptBoth");
        bitmap.close();
      } catch (_) {
        text = "";
      }
      e.target.value = "";
      if (!text) {
        tuoyu.flash(msg, "未能识别照片中的二维码，请拍清楚一些重试，或输入证书编号", "error");
        return;
      }
      await verifyScanned(text);
    });

    form.addEventListener("submit", (e) => {
      e.preventDefault();
      verifyNumber(numberInput.value);
    });

    $("match-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const idNumber = $("match-id").value.trim();
      const name = $("match-name").value.trim();
      const out = $("match-verdict");
      const list = $("match-details");
      out.textContent = "";
      list.replaceChildren();
      if (!current) return;
      if (!idNumber) {
        tuoyu.flash($("match-msg"), "请填写求职者的身份证号（姓名可选）", "error");
        $("match-id").focus();
        return;
      }
      tuoyu.flash($("match-msg"), "正在核对…", "info");
      const res = await tuoyu.call(
        "/api/verify/" + encodeURIComponent(current) + "/identity",
        "POST",
        { id_number: idNumber, name }
      );
      if (!res.ok) {
        tuoyu.flash($("match-msg"), failText(res), "error");
        return;
      }
      tuoyu.flash($("match-msg"), "");
      const a = res.data;
      out.textContent = a.verdict;
      out.className = "verdict " + (MATCH_CLASS[a.verdict] || "warn");
      out.dataset.verdict = a.verdict;
      const nameText = a.name === "无法核对" && a.verdict !== "无法核对" ? "未核对（身份证号不一致时不核对姓名）" : a.name;
      list.append(h("li", {}, "身份证号：" + a.id_number), h("li", {}, "姓名：" + nameText));
      if (a.verdict === "不一致") {
        list.append(h("li", { class: "muted" }, "求职者与证书持证人信息不符，请核对身份证原件；输入有误可修改后重新核对。"));
      }
    });
  }

  // ------------------------------------------------------------------ 本单位人员
  function initStaff() {
    const page = $("staff-page");
    if (!page) return;
    const employer = page.dataset.employer;
    let staff = [];
    let employments = new Map(); // practitioner id → their current employment here

    // 在职 column: end the employment (two clicks: 办理离职 → 确认离职今天), or the date it ends
    function endCell(m) {
      const e = employments.get(m.practitioner_id);
      if (!e) return h("td", { class: "actions" }, "");
      if (e.end_date) return h("td", { class: "actions" }, h("span", { class: "badge" }, `离职日期 ${e.end_date}`));
      const cell = h("td", { class: "actions" });
      const start = h("button", { type: "button", class: "secondary inline" }, "办理离职");
      start.setAttribute("aria-label", `为${m.name}办理离职`);
      start.addEventListener("click", () => {
        const sure = h("button", { type: "button", class: "danger inline" }, "确认今天离职");
        const cancel = h("button", { type: "button", class: "secondary inline" }, "取消");
        sure.setAttribute("aria-label", `确认${m.name}今天离职`);
        cancel.addEventListener("click", () => cell.replaceChildren(start));
        sure.addEventListener("click", async () => {
          sure.disabled = true;
          const res = await tuoyu.call(`/api/employments/${e.id}/end`, "POST", { end_date: today() });
          if (!res.ok) {
            tuoyu.flash($("staff-msg"), failText(res), "error");
            sure.disabled = false;
            return;
          }
          tuoyu.flash($("staff-msg"), `已为 ${m.name} 办理离职（${res.data.end_date}）`, "ok");
          await loadStaff();
        });
        cell.replaceChildren(sure, " ", cancel);
        sure.focus();
      });
      cell.append(start);
      return cell;
    }

    // 背景审查 (before hiring, then yearly) and 健康证, from the staff answer (service/api/credit.py)
    const HEALTH = { missing: ["无健康证", "bad"], expired: ["已过期", "bad"], expiring: ["即将到期", "warn"], valid: ["有效", "valid"] };
    let healthDue = new Map(); // practitioner id → expiry date (from /api/checks/health-expiring)
    const soon = (date) => {
      const d = new Date(date + "T00:00:00Z");
      return (d - new Date(today() + "T00:00:00Z")) / 86400000 <= 30;
    };
    const needsCheck = (m) =>
      m.background_check_overdue || m.health_certificate_status !== "valid" || (m.background_check_due && soon(m.background_check_due));
    function backgroundCell(m) {
      const due = m.background_check_due;
      const when = (text) => h("span", { class: "date" }, text);
      if (m.background_check_overdue) return [h("span", { class: "badge bad" }, "逾期"), " ", when(`应于 ${due} 前`)];
      if (!due) return h("span", { class: "badge" }, "无记录");
      if (soon(due)) return [h("span", { class: "badge warn" }, "即将到期"), " ", when(`${due} 前`)];
      return when(`下次审查 ${due}`);
    }
    function healthCell(m) {
      const [word, cls] = HEALTH[m.health_certificate_status] || [m.health_certificate_status, ""];
      const due = healthDue.get(m.practitioner_id);
      return [h("span", { class: "badge " + cls }, word), due ? " " : null, due ? h("span", { class: "date" }, `至 ${due}`) : null];
    }

    function render() {
      const filter = $("staff-filter").value;
      const body = $("staff-table").tBodies[0];
      body.replaceChildren();
      const shown = staff.filter((m) => {
        const noCert = !m.certified;
        const untrained = m.trainings_this_year === 0;
        const checks = needsCheck(m);
        if (filter === "uncertified") return noCert;
        if (filter === "untrained") return untrained;
        if (filter === "checks") return checks;
        if (filter === "excluded") return m.lifetime_excluded;
        if (filter === "attention") return noCert || untrained || m.lifetime_excluded;
        return true;
      });
      for (const m of shown) {
        const noCert = !m.certified;
        const untrained = m.trainings_this_year === 0;
        const flag = m.lifetime_excluded ? "flag excluded" : noCert || untrained ? "flag" : null;
        body.append(
          h(
            "tr",
            { class: flag, dataset: { practitioner: String(m.practitioner_id) } },
            h(
              "td",
              { class: "who" },
              m.name,
              m.lifetime_excluded ? [" ", h("span", { class: "badge excluded-badge" }, "终身禁入")] : null
            ),
            h("td", { dataset: { label: "身份证号" } }, m.id_number),
            h("td", { dataset: { label: "岗位" } }, POSITIONS[m.position] || m.position || ""),
            h(
              "td",
              { dataset: { label: "持证情况" } },
              noCert
                ? h("span", { class: "badge bad" }, "未持证上岗")
                : [h("span", { class: "badge valid" }, "持证"), " ", m.valid_credentials.join("；")]
            ),
            h(
              "td",
              { dataset: { label: "今年培训" } },
              untrained ? h("span", { class: "badge warn" }, "今年未培训") : `${m.trainings_this_year} 次`
            ),
            h(
              "td",
              { dataset: { label: "审查与健康证" } },
              h("div", { class: "check-line background" }, "背景审查：", backgroundCell(m)),
              h("div", { class: "check-line health" }, "健康证：", healthCell(m))
            ),
            endCell(m)
          )
        );
      }
      if (!shown.length) body.append(h("tr", {}, h("td", { colspan: "7" }, "没有符合条件的人员")));
    }

    async function loadStaff() {
      const [res, jobs, health] = await Promise.all([
        tuoyu.call(`/api/employers/${employer}/staff`),
        tuoyu.call("/api/employments?status=active"),
        tuoyu.call("/api/checks/health-expiring?within_days=30"),
      ]);
      healthDue = new Map((health.ok ? health.data : []).filter((r) => r.due_on).map((r) => [r.practitioner_id, r.due_on]));
      if (!res.ok) {
        tuoyu.flash($("staff-msg"), failText(res), "error");
        return;
      }
      staff = res.data;
      const day = today();
      employments = new Map(
        (jobs.ok ? jobs.data : [])
          .filter((e) => String(e.employer_id) === employer && e.start_date <= day && (!e.end_date || e.end_date >= day))
          .map((e) => [e.practitioner_id, e])
      );
      const uncertified = staff.filter((m) => !m.certified).length;
      const untrained = staff.filter((m) => m.trainings_this_year === 0).length;
      $("staff-summary").replaceChildren(
        h("span", { class: "badge" }, `在职 ${staff.length} 人`),
        h("span", { class: "badge valid" }, `持证上岗 ${staff.length - uncertified} 人`),
        h("span", { class: "badge bad", id: "count-uncertified" }, `未持证上岗 ${uncertified} 人`),
        h("span", { class: "badge warn", id: "count-untrained" }, `今年未培训 ${untrained} 人`),
        h("span", { class: "badge bad", id: "count-overdue" }, `背景审查逾期 ${staff.filter((m) => m.background_check_overdue).length} 人`),
        h("span", { class: "badge warn", id: "count-health" }, `健康证需处理 ${staff.filter((m) => m.health_certificate_status !== "valid").length} 人`)
      );
      const excluded = staff.filter((m) => m.lifetime_excluded);
      const alarm = $("excluded-alert");
      alarm.hidden = !excluded.length;
      alarm.replaceChildren(
        h("strong", {}, `终身禁入：${excluded.map((m) => m.name).join("、")}`),
        h("span", {}, "以上人员已被列入终身禁入名单，不得从事托育服务工作，请立即调整岗位并办理离职。")
      );
      render();
    }

    async function loadExpiring() {
      const days = $("expiring-days").value;
      const res = await tuoyu.call(`/api/certificates/expiring?within_days=${encodeURIComponent(days)}`);
      const body = $("expiring-table").tBodies[0];
      body.replaceChildren();
      if (!res.ok) {
        tuoyu.flash($("expiring-msg"), failText(res), "error");
        return;
      }
      tuoyu.flash($("expiring-msg"), "");
      for (const c of res.data) {
        body.append(
          h(
            "tr",
            {},
            h("td", {}, c.holder_name),
            h("td", {}, [c.title, c.level].filter(Boolean).join(" ")),
            h("td", {}, c.number),
            h("td", {}, c.expires_on || "")
          )
        );
      }
      if (!res.data.length) body.append(h("tr", {}, h("td", { colspan: "4" }, `${days} 天内没有到期的证书`)));
    }

    $("claim-start").value = today();
    $("claim-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = {
        id_number: $("claim-id").value.trim(),
        name: $("claim-name").value.trim(),
        start_date: $("claim-start").value,
        position: $("claim-position").value,
      };
      if (!body.id_number || !body.name || !body.start_date) {
        tuoyu.flash($("claim-msg"), "请填写身份证号、姓名和入职日期", "error");
        return;
      }
      const res = await tuoyu.call("/api/employment-claims", "POST", body);
      if (!res.ok) {
        tuoyu.flash($("claim-msg"), failText(res), "error");
        return;
      }
      const done = res.data.status === "active";
      tuoyu.flash(
        $("claim-msg"),
        done ? `${body.name} 已在本单位人员中` : `已提交认领：待 ${body.name} 本人确认后计入本单位人员`,
        "ok"
      );
      $("claim-id").value = "";
      $("claim-name").value = "";
      if (done) await loadStaff();
    });

    $("staff-filter").addEventListener("change", render);
    $("expiring-days").addEventListener("change", loadExpiring);
    loadStaff();
    loadExpiring();
  }

  // ------------------------------------------------------------------ 批量核验
  function initBulk() {
    const form = $("bulk-form");
    if (!form) return;
    const msg = $("bulk-msg");
    const buttons = () => document.querySelectorAll("#bulk-page button");
    const badgeClass = (name) =>
      name === "有效" ? "valid" : ["已吊销", "已暂停", "查无此证", "签名无效"].includes(name) ? "bad" : "warn";

    function showErrors(data) {
      const list = $("bulk-errors");
      list.replaceChildren();
      const rows = (data && (data.rows || (data.extra && data.extra.rows))) || [];
      for (const r of rows.slice(0, 20)) {
        list.append(h("li", {}, `第 ${r.row} 行：${(r.errors || []).join("；")}`));
      }
      if (rows.length > 20) list.append(h("li", {}, `……共 ${rows.length} 行有误`));
    }

    function update(job) {
      $("bulk-job").hidden = false;
      const bar = $("bulk-progress");
      bar.max = Math.max(job.total, 1);
      bar.value = job.status === "done" ? bar.max : job.done;
      const label = $("bulk-progress-label");
      label.textContent =
        job.status === "queued"
          ? `排队中…（共 ${job.total} 行）`
          : job.status === "running"
            ? `正在核验：已完成 ${job.done} / ${job.total} 行`
            : job.status === "done"
              ? `核验完成：共 ${job.total} 行`
              : `核验失败：${job.error || "请稍后重试"}`;
      label.dataset.status = job.status;
      const summary = $("bulk-summary");
      summary.replaceChildren();
      if (job.status === "done") {
        for (const [name, count] of Object.entries(job.summary || {})) {
          summary.append(h("span", { class: "badge " + badgeClass(name) }, `${name} ${count}`));
        }
        const link = $("bulk-download");
        link.href = `/api/bulk-verifications/${job.id}/result.xlsx`;
        link.setAttribute("download", `批量核验结果-${job.id}.xlsx`);
        link.hidden = false;
      }
    }

    async function follow(job) {
      $("bulk-download").hidden = true;
      update(job);
      buttons().forEach((b) => (b.disabled = true));
      try {
        while (job.status === "queued" || job.status === "running") {
          await sleep(1000);
          const res = await tuoyu.call(`/api/bulk-verifications/${job.id}`);
          if (!res.ok) {
            tuoyu.flash(msg, failText(res), "error");
            return;
          }
          job = res.data;
          update(job);
        }
        tuoyu.flash(msg, job.status === "done" ? "核验完成，可下载结果" : "核验失败", job.status === "done" ? "ok" : "error");
      } finally {
        buttons().forEach((b) => (b.disabled = false));
      }
    }

    // A new submission starts: the previous job's progress, summary and download go away, so a
    // refused upload never shows under the last job's "核验完成…下载".
    function clearJob() {
      $("bulk-job").hidden = true;
      $("bulk-download").hidden = true;
      $("bulk-download").href = "#";
      $("bulk-summary").replaceChildren();
      const label = $("bulk-progress-label");
      label.textContent = "正在排队…";
      delete label.dataset.status;
      $("bulk-progress").value = 0;
      showErrors(null);
    }

    async function submitted(res) {
      showErrors(null);
      if (!res.ok) {
        tuoyu.flash(msg, failText(res), "error");
        showErrors(res.data);
        return;
      }
      tuoyu.flash(msg, `已提交 ${res.data.total} 行，正在后台核验`, "info");
      await follow(res.data);
    }

    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearJob();
      const text = $("bulk-text").value;
      if (!text.trim()) {
        tuoyu.flash(msg, "请粘贴要核验的证书编号", "error");
        $("bulk-text").focus();
        return;
      }
      await submitted(await tuoyu.call("/api/bulk-verifications", "POST", { text }));
    });

    $("bulk-file").addEventListener("change", (e) => {
      const file = e.target.files && e.target.files[0];
      $("bulk-file-name").textContent = file ? file.name : "未选择文件";
    });

    $("bulk-upload-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      clearJob();
      const file = $("bulk-file").files[0];
      if (!file) {
        tuoyu.flash(msg, "请选择要上传的 Excel 或 CSV 文件", "error");
        return;
      }
      const r = await tuoyu.api("/api/bulk-verifications/upload", {
        method: "POST",
        body: file,
        headers: { "Content-Type": "application/octet-stream" },
      });
      if (r.status === 401) {
        location.href = "/login?next=" + encodeURIComponent(location.pathname);
        return;
      }
      let data = {};
      try {
        data = await r.json();
      } catch (_) {
        data = {};
      }
      await submitted({ ok: r.ok, status: r.status, data });
    });
  }

  // ------------------------------------------------------------------ 人才库
  const CONTACT_STATUS = { pending: ["待回复", "warn"], accepted: ["已同意", "valid"], declined: ["已拒绝", "bad"] };

  function initTalent() {
    const page = $("talent-page");
    if (!page) return;

    // 请求联系: a short message (optional) sent through the platform
    function contactButton(c) {
      const box = h("div", { class: "contact-box" });
      const open = h("button", { type: "button", class: "inline" }, "请求联系");
      open.setAttribute("aria-label", `请求联系 ${c.masked_name}`);
      open.addEventListener("click", () => {
        const id = "msg-" + c.handle;
        const text = h("textarea", { id, rows: "2", maxlength: "500" });
        text.value = "您好，我单位正在招聘托育人员，想与您联系。";
        const send = h("button", { type: "submit", class: "inline" }, "发送请求");
        const cancel = h("button", { type: "button", class: "secondary inline" }, "取消");
        const note = h("div", { class: "flash" });
        const form = h("form", { class: "contact-form" }, h("label", { for: id }, "留言（对方可见）"), text, send, " ", cancel, note);
        cancel.addEventListener("click", () => box.replaceChildren(open));
        form.addEventListener("submit", async (e) => {
          e.preventDefault();
          send.disabled = true;
          const res = await tuoyu.call("/api/talent/contact-requests", "POST", { handle: c.handle, message: text.value.trim() });
          if (!res.ok) {
            send.disabled = false;
            tuoyu.flash(note, failText(res), "error");
            return;
          }
          box.replaceChildren(h("span", { class: "badge warn" }, "已发送联系请求，待对方回复"));
          await loadContacts();
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
        tuoyu.flash(msg, failText(res), "error");
        return;
      }
      tuoyu.flash(msg, "");
      $("talent-total").textContent = `共 ${res.data.total} 人符合条件` + (res.data.total > res.data.items.length ? `，显示前 ${res.data.items.length} 人` : "");
      for (const c of res.data.items) list.append(talent.card(c, contactButton(c)));
      if (!res.data.items.length) list.append(h("li", { class: "muted" }, "没有符合条件的人员，可放宽条件再查"));
    }

    async function loadContacts() {
      const list = $("contact-list");
      const res = await tuoyu.call("/api/talent/contact-requests");
      if (!res.ok) {
        tuoyu.flash($("contacts-msg"), failText(res), "error");
        return;
      }
      list.replaceChildren();
      for (const r of res.data) {
        const [word, cls] = CONTACT_STATUS[r.status] || [r.status, ""];
        list.append(
          h(
            "li",
            { class: "item contact", dataset: { status: r.status, request: String(r.id) } },
            h("div", { class: "candidate-head" }, h("strong", {}, r.masked_name), h("span", { class: "badge " + cls }, word)),
            r.phone
              ? h("p", { class: "phone" }, "手机号：", h("a", { href: "tel:" + r.phone }, r.phone))
              : null,
            r.message ? h("p", { class: "muted" }, "留言：" + r.message) : null,
            h("p", { class: "muted" }, `发送于 ${tuoyu.time(r.created_at)}` + (r.answered_at ? `，答复于 ${tuoyu.time(r.answered_at)}` : ""))
          )
        );
      }
      if (!res.data.length) list.append(h("li", { class: "muted" }, "还没有发出联系请求"));
    }

    async function loadRecommendations() {
      const list = $("recommendation-list");
      const res = await tuoyu.call("/api/talent/recommendations");
      list.replaceChildren();
      if (!res.ok) {
        list.append(h("li", { class: "flash error" }, failText(res)));
        return;
      }
      for (const r of res.data) {
        const from = h("p", { class: "muted" }, `${r.agency_name} 推荐于 ${tuoyu.time(r.created_at)}`);
        const note = r.note ? h("p", { class: "note" }, "推荐理由：" + r.note) : null;
        list.append(talent.card(r.candidate, from, note, contactButton(r.candidate)));
      }
      if (!res.data.length) list.append(h("li", { class: "muted" }, "暂无人才服务机构推荐"));
    }

    $("talent-search").addEventListener("submit", (e) => {
      e.preventDefault();
      runSearch();
    });
    talent.loadOptions($("t-district"), $("t-programme"), $("t-level")).then(runSearch);
    loadContacts();
    loadRecommendations();
  }

  document.addEventListener("DOMContentLoaded", () => {
    initVerify();
    initStaff();
    initBulk();
    initTalent();
  });
})();
