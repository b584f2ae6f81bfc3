// 修改密码 (/account/password, every role): posts to POST /api/auth/password with the CSRF header
// (tuoyu.api). The API ends every login of the account on success (its tokens_valid_after), so the
// page goes to /login?changed=1 (and on to ?next=, the page that sent here) to log in again.
// Errors stay on the page: a wrong current password (422, field old_password), the new one refused
// (422/400, field new_password), a lock after repeated wrong ones (401 code login_locked, with the
// minutes), too many requests (429, Retry-After); only a login that itself ended goes to /login.
"use strict";

const MIN_PASSWORD = 8; // service/accounts/services.py change_password, api/auth.py PasswordChangeIn

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("password-form");
  if (!form) return;
  const msg = document.getElementById("pw-msg");
  const submit = form.querySelector("button[type=submit]");
  submit.disabled = false; // enabled once this script runs
  const field = (id) => document.getElementById(id);
  // Characters as Python counts them (code points), not UTF-16 units.
  const length = (s) => Array.from(s).length;

  const fail = (text, focus) => {
    tuoyu.flash(msg, text, "error");
    if (focus) field(focus).focus();
  };

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const old = field("old_password").value;
    const fresh = field("new_password").value;
    const again = field("new_password2").value;
    if (!old) return fail("请输入当前密码", "old_password");
    if (length(fresh) < MIN_PASSWORD) return fail(`新密码至少 ${MIN_PASSWORD} 个字符`, "new_password");
    if (length(fresh) > 128) return fail("新密码不能超过 128 个字符", "new_password");
    if (fresh !== again) return fail("两次输入的新密码不一致，请重新输入", "new_password2");
    if (fresh === old) return fail("新密码不能与当前密码相同", "new_password");
    submit.disabled = true;
    tuoyu.flash(msg, "正在修改…", "info");
    let r;
    try {
      r = await tuoyu.api("/api/auth/password", {
        method: "POST",
        headers: { Accept: "application/json" },
        body: JSON.stringify({ old_password: old, new_password: fresh }),
      });
    } catch (_) {
      submit.disabled = false;
      return fail("网络连接失败，密码未修改，请稍后再试");
    }
    if (r.ok) {
      form.reset();
      tuoyu.flash(msg, "密码已修改。请用新密码重新登录…", "ok");
      const next = tuoyu.safeNext(new URLSearchParams(location.search).get("next"));
      location.href = "/login?changed=1" + (next ? "&next=" + encodeURIComponent(next) : "");
      return;
    }
    submit.disabled = false;
    let data = {};
    try {
      data = await r.json();
    } catch (_) {
      data = {};
    }
    if (r.status === 429) {
      const wait = parseInt(r.headers.get("Retry-After") || "60", 10);
      return fail(`尝试次数过多，密码未修改，请 ${wait} 秒后再试`);
    }
    if (data.code === "login_locked") {
      // too many wrong current passwords (counted with the login's): the minutes left are in detail
      field("old_password").value = "";
      return fail(data.detail || "密码错误次数过多，请稍后再试");
    }
    if (r.status === 401) {
      // the login itself ended (logged out elsewhere, deactivated, expired): log in again first
      tuoyu.flash(msg, "登录已失效，请重新登录后再修改密码…", "error");
      location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
      return;
    }
    const where = data.field || ((data.errors || [])[0] || {}).key || "";
    if (where === "old_password") {
      field("old_password").value = "";
      return fail(data.detail || "当前密码不正确，密码未修改", "old_password");
    }
    if (where === "new_password") return fail(tuoyu.message(data), "new_password");
    fail(tuoyu.message(data, "修改失败，密码未修改，请稍后再试"));
  });
});
