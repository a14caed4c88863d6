// Drag and drop onto the upload form: dropped files go into the form's file input, so the
// upload itself stays a plain form post that works without this script too.
(function () {
  "use strict";
  var zone = document.querySelector("[data-drop-zone]");
  var input = zone && zone.querySelector("input[type=file]");
  var list = zone && zone.querySelector("[data-drop-list]");
  if (!zone || !input) return;
  function show(files) {
    if (!list) return;
    list.textContent = "";
    Array.prototype.forEach.call(files, function (f) {
      var li = document.createElement("li");
      li.textContent = f.name + " (" + Math.ceil(f.size / 1024) + " KB)";
      list.appendChild(li);
    });
  }
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add("dragging"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.remove("dragging"); });
  });
  zone.addEventListener("drop", function (e) {
    if (!e.dataTransfer || !e.dataTransfer.files.length) return;
    input.files = e.dataTransfer.files;
    show(input.files);
  });
  input.addEventListener("change", function () { show(input.files); });
})();
