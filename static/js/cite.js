// Citation box: pick a format, copy with one click; cite a single paragraph or section.
// Plain JS, no dependencies. The whole-report citations are in the page already; a paragraph's
// or section's citation is fetched from its /cite/<format>/ URL (which also works as a download).
(function () {
  "use strict";
  var box = document.querySelector("[data-cite-base]");
  if (!box) return;
  var base = box.getAttribute("data-cite-base");
  var select = box.querySelector("[data-cite-format]");
  var status = box.querySelector("[data-cite-status]");
  var scopeLabel = box.querySelector("[data-cite-scope]");
  var scopeDefault = scopeLabel.textContent;
  var scoped = box.querySelector("[data-cite-scoped]");
  var reset = box.querySelector("[data-cite-reset]");
  var scope = null; // null: the whole report; else {path: "p12/" or "s1-2/", label: "..."}

  function say(message) {
    status.textContent = message;
  }

  function visibleText() {
    if (scope) return scoped.textContent;
    var pre = box.querySelector('[data-cite-text][data-format="' + select.value + '"]');
    return pre ? pre.textContent : "";
  }

  function showFormat() {
    box.querySelectorAll("[data-cite-text]").forEach(function (pre) {
      pre.hidden = Boolean(scope) || pre.getAttribute("data-format") !== select.value;
    });
    scoped.hidden = !scope;
  }

  // Copy through the Clipboard API, falling back to a hidden textarea where it is refused.
  function copy(text) {
    box.setAttribute("data-copied", text);
    function fallback() {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
    }
    var attempt = navigator.clipboard && window.isSecureContext
      ? navigator.clipboard.writeText(text).catch(fallback)
      : fallback();
    return attempt.then(
      function () { say("已复制 Copied"); box.setAttribute("data-copy-state", "copied"); },
      function () { say("请手动复制 Select the text and copy it"); box.setAttribute("data-copy-state", "failed"); }
    );
  }

  function load() {
    if (!scope) { showFormat(); return Promise.resolve(visibleText()); }
    var url = base + scope.path + "cite/" + select.value + "/";
    scoped.setAttribute("data-cite-url", url);
    return fetch(url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (text) { scoped.textContent = text; showFormat(); return text; });
  }

  function setScope(next) {
    scope = next;
    scopeLabel.textContent = next ? next.label : scopeDefault;
    reset.hidden = !next;
    box.setAttribute("data-cite-scope-path", next ? next.path : "");
    return load();
  }

  select.addEventListener("change", function () { load(); say(""); });
  box.querySelector("[data-cite-copy]").addEventListener("click", function () {
    copy(visibleText());
  });
  reset.addEventListener("click", function () { setScope(null); say(""); });

  if (box.hasAttribute("data-cite-tombstone")) return;

  // A "cite" button beside each paragraph number, and beside each section's first paragraph.
  var text = document.querySelector(".report-text");
  if (!text) return;
  function button(label, title, target) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "cite-this";
    // Out of the tab order: a report has a hundred paragraphs, and a keyboard reader cites one
    // by following its ¶ link (the hash change below scopes the citation box to it).
    b.tabIndex = -1;
    b.textContent = label;
    b.title = title;
    b.addEventListener("click", function () {
      setScope(target)
        .then(function (t) { return copy(t); })
        .then(function () {
          if (box.getAttribute("data-copy-state") !== "copied") return;
          b.textContent = "已复制";
          setTimeout(function () { b.textContent = label; }, 1500);
        }, function () { say("引用加载失败 Could not load the citation"); });
    });
    return b;
  }
  text.querySelectorAll("p[id^='p']").forEach(function (p) {
    var n = p.id.slice(1);
    if (!/^\d+$/.test(n)) return;
    var num = p.querySelector(".pnum");
    var b = button("引用", "复制本段的引用 Copy a citation of paragraph " + n,
                   { path: "p" + n + "/", label: "第 " + n + " 段 paragraph " + n });
    b.setAttribute("data-cite-paragraph", n);
    if (num) num.after(b); else p.prepend(b);
  });
  text.querySelectorAll("span[id^='s']").forEach(function (span) {
    var anchor = span.id;
    if (!/^s\d+(-\d+)*$/.test(anchor)) return;
    var p = span.nextElementSibling;
    while (p && p.tagName !== "P") p = p.nextElementSibling;
    if (!p) return;
    var b = button("引用本节", "复制本节的引用 Copy a citation of section " + anchor,
                   { path: anchor + "/", label: "章节 section " + anchor });
    b.setAttribute("data-cite-section", anchor);
    p.appendChild(b);
  });

  // Landing on a paragraph or section link, or following one (the ¶ links): cite that, not
  // the whole report.
  function scopeFromHash() {
    var m = /^#(p\d+|s\d+(?:-\d+)*)$/.exec(location.hash);
    if (!m) return;
    var isPara = m[1].charAt(0) === "p";
    setScope({ path: m[1] + "/", label: isPara ? "第 " + m[1].slice(1) + " 段 paragraph " + m[1].slice(1)
                                                : "章节 section " + m[1] });
  }
  scopeFromHash();
  window.addEventListener("hashchange", scopeFromHash);
  // The cited-version notice links to the cited version; keep the reader's anchor.
  document.querySelectorAll("a[data-keep-hash]").forEach(function (a) {
    if (location.hash) a.href = a.getAttribute("href").split("#")[0] + location.hash;
  });
})();
