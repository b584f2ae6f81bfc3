// Tuoyu Workforce pages: small vanilla helpers, served by the app itself (no CDN).
// Writes from pages carry the CSRF token (the `csrftoken` cookie echoed in X-CSRFToken), because
// the login travels in a cookie; API clients with a bearer token need none.
"use strict";

const tuoyu = {
  cookie(name) {
    const hit = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
    return hit ? decodeURIComponent(hit.slice(name.length + 1)) : "";
  },
  async api(path, options = {}) {
    const headers = Object.assign({ "Content-Type": "application/json" }, options.headers || {});
    const csrf = tuoyu.cookie("csrftoken");
    if (csrf) headers["X-CSRFToken"] = csrf;
    return fetch(path, Object.assign({ credentials: "same-origin" }, options, { headers }));
  },
  // A same-site path to go to after login, or null: one leading "/" (never "//" or "/\\", which
  // browsers read as another host), no scheme, no control characters, not the login page itself.
  safeNext(next) {
    if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return null;
    if (/[\u0000-\u001f\u007f\\]/.test(next)) return null;
    const url = new URL(next, location.origin);
    // The resolved path is checked too: "/.//host/x" or "/..//host/x" resolve to the path
    // "//host/x", which a later fetch()/location would read as another host.
    if (url.origin !== location.origin || url.pathname.startsWith("//") || url.pathname.startsWith("/login")) return null;
    return url.pathname + url.search + url.hash;
  },
  // Each role's home after login (issue 8): trainee → 我的培训, base staff → 本基地班级,
  // examiner → 考评任务, employer → 证书核验与本单位人员, regulators → 监管看板, agency → 人才推荐.
  home(role) {
    return (
      {
        city_admin: "/dashboard",
        district_admin: "/dashboard",
        base_staff: "/base",
        examiner: "/examiner",
        employer_staff: "/employer",
        trainee: "/my",
        agency: "/agency",
      }[role] || "/"
    );
  },
  // JSON call → {ok, status, data}; data.detail carries the API's Chinese message on errors.
  async call(path, method = "GET", body = undefined) {
    const options = { method };
    if (body !== undefined) options.body = JSON.stringify(body);
    const r = await tuoyu.api(path, options);
    if (r.status === 401) {
      location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
      return { ok: false, status: 401, data: { detail: "请先登录" } };
    }
    let data = null;
    try {
      data = await r.json();
    } catch (_) {
      data = {};
    }
    return { ok: r.ok, status: r.status, data, retryAfter: tuoyu.retryAfter(r) };
  },
  // A response's Retry-After in whole seconds (0 when absent or given as a date).
  retryAfter(r) {
    const seconds = Number(r.headers.get("Retry-After"));
    return Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : 0;
  },
  // The Chinese message of a failed call (field errors joined), never a stack or a raw code.
  message(data, fallback = "操作失败，请稍后再试") {
    if (!data) return fallback;
    const fields = (data.errors || data.extra || [])
      .map((e) => {
        if (!e || typeof e !== "object") return "";
        const text = e.msg || e.message || "";
        const where = e.key || (Array.isArray(e.loc) ? e.loc.filter((p) => p !== "body").join(".") : "");
        return text ? (where ? `${tuoyu.fieldName(where)}：${text}` : text) : "";
      })
      .filter(Boolean);
    return [data.detail || fallback].concat(fields).join("；");
  },
  // The Chinese name of an API field for error messages (the key itself when unknown).
  fieldName(key) {
    const last = String(key).split(".").pop();
    return (
      {
        phone: "手机号", id_number: "身份证号", name: "姓名", username: "用户名", password: "密码",
        code: "验证码", old_password: "当前密码", new_password: "新密码", title: "名称", token: "签到码", holidays: "节假日", start_date: "开始日期",
        end_date: "结束日期", capacity: "名额", day: "日期", starts_at: "开始时间", ends_at: "结束时间",
        year: "年度", theory: "理论成绩", practical: "实操成绩", number: "证书编号",
      }[last] || last
    );
  },
  // Build DOM without innerHTML (user data never becomes markup): h("td", {class: "x"}, "text", child).
  h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "dataset") Object.assign(el.dataset, v);
      else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : String(c));
    }
    return el;
  },
  // Show a status line in `el` (kind: "ok" | "error" | "info"); announced to screen readers.
  flash(el, text, kind = "info") {
    if (!el) return;
    el.textContent = text;
    el.className = "flash " + kind;
    el.setAttribute("role", kind === "error" ? "alert" : "status");
  },
  // A UTC ISO timestamp shown as local Beijing time "2026-11-29 10:00".
  time(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    const f = new Intl.DateTimeFormat("zh-CN", {
      timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hour12: false,
    });
    const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  },
};

// Start-up enhancements, each on its own: one that fails (a page without an element it expects)
// is reported in the console and the others still run — 退出 above all must always work.
tuoyu.enhance = function (name, fn) {
  const run = () => {
    try {
      fn();
    } catch (err) {
      console.error(`tuoyu: ${name} failed`, err);
    }
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
};

tuoyu.enhance("logout", () => {
  const logout = document.getElementById("logout");
  if (logout) {
    logout.addEventListener("click", async (e) => {
      e.preventDefault();
      await tuoyu.api("/api/auth/logout", { method: "POST" });
      location.href = "/";
    });
  }
});

tuoyu.enhance("file pickers", () => {
  // File pickers drawn in Chinese (.file-pick in app.css): the chosen file's name, or 未选择文件,
  // in the picker's .file-name (optional: a picker without one shows nothing more).
  for (const input of document.querySelectorAll(".file-pick input[type=file]")) {
    const name = input.closest(".file-pick").querySelector(".file-name");
    if (!name) continue;
    const show = () => {
      const file = input.files && input.files[0];
      name.textContent = file ? file.name : "未选择文件";
      name.title = file ? file.name : "";
    };
    input.addEventListener("change", show);
    if (input.form) input.form.addEventListener("reset", () => setTimeout(show));
    show();
  }
});

tuoyu.enhance("my home link", () => {
  const myHome = document.getElementById("my-home");
  if (myHome) {
    // public and error pages: a logged-in user's way back to their own home
    fetch("/api/auth/me", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : null))
      .then((me) => {
        if (me && me.role) {
          myHome.href = tuoyu.home(me.role);
          myHome.hidden = false;
        }
      })
      .catch(() => {});
  }
});

tuoyu.enhance("back link", () => {
  // 返回 on error pages: a real link to the start page (the CSP forbids javascript: links), going
  // back in the history instead when the page was reached from another page.
  const back = document.querySelector("a[data-back]");
  if (back) {
    back.addEventListener("click", (e) => {
      if (history.length > 1) {
        e.preventDefault();
        history.back();
      }
    });
  }
});

tuoyu.enhance("certificate lookup", () => {
  const lookup = document.getElementById("lookup");
  if (lookup) {
    lookup.addEventListener("submit", (e) => {
      e.preventDefault();
      const n = document.getElementById("n").value.trim();
      if (n) location.href = "/v/" + encodeURIComponent(n);
    });
  }
});

tuoyu.enhance("login form", () => {
  const login = document.getElementById("login-form");
  if (login) {
    login.querySelector("button[type=submit]").disabled = false; // enabled once this script runs
    login.addEventListener("submit", async (e) => {
      e.preventDefault();
      const fd = new FormData(login);
      const r = await tuoyu.api("/api/auth/login", {
        method: "POST",
        body: JSON.stringify({ username: fd.get("username"), password: fd.get("password") }),
      });
      const d = await r.json();
      if (!r.ok) {
        document.getElementById("msg").textContent = d.detail || "登录失败";
        return;
      }
      // ?next= (the page that sent here): only a path of this site, and only when the role may
      // see it (a HEAD of the page answers 200) — otherwise the role's home.
      const next = tuoyu.safeNext(new URLSearchParams(location.search).get("next"));
      if (d.account.must_change_password) {
        // a temporary password from an administrator's reset: set a new one first, then on to next
        location.href = "/account/password" + (next ? "?next=" + encodeURIComponent(next) : "");
        return;
      }
      let target = tuoyu.home(d.account.role);
      if (next) {
        try {
          const probe = await fetch(new URL(next, location.origin), { method: "HEAD", credentials: "same-origin", redirect: "manual" });
          if (probe.ok) target = next;
        } catch {
          // The probe failed (network, CSP): go to the role's home rather than stay on /login.
        }
      }
      location.href = target;
    });
  }
});

// Pages show live data: one restored from the back/forward cache (e.g. an exam page after handing
// the paper in) is reloaded rather than shown stale.
window.addEventListener("pageshow", (e) => {
  if (e.persisted) location.reload();
});
