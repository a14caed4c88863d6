// Report page: fold the contents list on a narrow screen (open beside the text on a wide one),
// and step through the marked hits with 上一处 / 下一处 buttons. Plain JS, no dependencies.
(function () {
  "use strict";
  var toc = document.querySelector("[data-toc]");
  var narrow = window.matchMedia("(max-width: 52rem)");
  if (toc && narrow.matches) toc.open = false;
  if (toc) {
    // A reader who picks a section on a phone wants the text, not the list, in front of them.
    toc.addEventListener("click", function (event) {
      if (event.target.closest("a") && narrow.matches) toc.open = false;
    });
  }

  var bar = document.querySelector("[data-hit-stepper]");
  var marks = Array.prototype.slice.call(document.querySelectorAll(".report-text mark"));
  if (!bar || !marks.length) return;
  var position = bar.querySelector("[data-hit-position]");
  var current = -1;
  // Start from the paragraph the reader landed on, so "next" continues from there.
  if (location.hash) {
    var landed = document.getElementById(location.hash.slice(1));
    if (landed) {
      marks.some(function (m, i) {
        if (landed.contains(m) || (landed.compareDocumentPosition(m) & Node.DOCUMENT_POSITION_FOLLOWING)) {
          current = i - 1;
          return true;
        }
        return false;
      });
    }
  }

  function show(i) {
    if (current >= 0) marks[current].classList.remove("current-hit");
    current = (i + marks.length) % marks.length;
    var mark = marks[current];
    mark.classList.add("current-hit");
    mark.scrollIntoView({block: "center"});
    position.textContent = (current + 1) + " / " + marks.length;
  }

  bar.hidden = false;
  position.textContent = marks.length + " 处";
  bar.querySelector("[data-hit-next]").addEventListener("click", function () { show(current + 1); });
  bar.querySelector("[data-hit-prev]").addEventListener("click", function () { show(current - 1); });
})();
