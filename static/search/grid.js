// Grid: fold the places below a province or city row (their rows are marked data-within with
// the keys of the rows they sit under). Without JS every row is shown and no button appears.
(function () {
  "use strict";
  var grid = document.querySelector("[data-hit-grid]");
  if (!grid) return;
  var buttons = Array.prototype.slice.call(grid.querySelectorAll("[data-fold]"));
  if (!buttons.length) return;
  var rows = Array.prototype.slice.call(grid.querySelectorAll("tr[data-within]"));

  function refresh() {
    var folded = {};
    buttons.forEach(function (b) {
      if (b.getAttribute("aria-expanded") === "false") folded[b.getAttribute("data-fold")] = true;
    });
    rows.forEach(function (tr) {
      tr.hidden = tr.getAttribute("data-within").split(" ").some(function (k) { return folded[k]; });
    });
  }

  function setAll(expanded) {
    buttons.forEach(function (b) { b.setAttribute("aria-expanded", String(expanded)); });
    refresh();
  }

  buttons.forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      b.setAttribute("aria-expanded", String(b.getAttribute("aria-expanded") !== "true"));
      refresh();
    });
  });
  var toggles = document.querySelector("[data-grid-toggles]");
  if (toggles) {
    toggles.hidden = false;
    toggles.querySelector("[data-collapse-all]").addEventListener("click", function () { setAll(false); });
    toggles.querySelector("[data-expand-all]").addEventListener("click", function () { setAll(true); });
  }
})();
