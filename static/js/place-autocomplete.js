// Place field on the metadata form: suggestions from the gazetteer as the editor types.
// The field stays a plain text input; the server settles the name (or asks for a full one).
(function () {
  "use strict";
  var input = document.querySelector("input[data-place-autocomplete]");
  if (!input) return;
  var list = document.getElementById(input.getAttribute("list"));
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var typed = input.value.trim();
    if (!typed) return;
    timer = setTimeout(function () {
      fetch(input.dataset.placeAutocomplete + "?q=" + encodeURIComponent(typed), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : {places: []}; })
        .then(function (data) {
          list.textContent = "";
          data.places.forEach(function (p) {
            var option = document.createElement("option");
            option.value = p.name;
            option.label = p.code ? p.name + " (" + p.code + ")" : p.name;
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }, 150);
  });
})();
