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
  home(role) {
    return { city_admin: "/dashboard", district_admin: "/dashboard" }[role] || "/";
  },
};

document.addEventListener("DOMContentLoaded", () => {
  const logout = document.getElementById("logout");
  if (logout) {
    logout.addEventListener("click", async (e) => {
      e.preventDefault();
      await tuoyu.api("/api/auth/logout", { method: "POST" });
      location.href = "/";
    });
  }
  const lookup = document.getElementById("lookup");
  if (lookup) {
    lookup.addEventListener("submit", (e) => {
      e.preventDefault();
      const n = document.getElementById("n").value.trim();
      if (n) location.href = "/v/" + encodeURIComponent(n);
    });
  }
  const login = document.getElementById("login-form");
  if (login) {
    login.addEventListener("submit", async (e) => {
      e.preventDefault();
      const fd = new FormData(login);
      const r = await tuoyu.api("/api/auth/login", {
        method: "POST",
        body: JSON.stringify({ username: fd.get("username"), password: fd.get("password") }),
      });
      const d = await r.json();
      if (r.ok) location.href = tuoyu.home(d.account.role);
      else document.getElementById("msg").textContent = d.detail || "登录失败";
    });
  }
});
