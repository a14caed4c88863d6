// A long report is shown in pages of paragraphs. A link to #p<k> or to a section's anchor
// that is not on this page is reopened with ?at=<anchor>: the server answers with the page
// holding it, so permalinks keep working however the text is paged.
(function () {
  "use strict";
  function follow() {
    var anchor = decodeURIComponent(window.location.hash.slice(1));
    if (!anchor || document.getElementById(anchor)) return;
    var params = new URLSearchParams(window.location.search);
    if (params.get("at") === anchor) return; // already asked: the anchor does not exist
    params.delete("page");
    params.set("at", anchor);
    window.location.replace(window.location.pathname + "?" + params.toString() + "#" + anchor);
  }
  if (document.querySelector("[data-pages]")) {
    follow();
    window.addEventListener("hashchange", follow);
  }
})();
