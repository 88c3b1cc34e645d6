// A filter for the unit pickers of templates/macros.html: typing part of a
// unit's name or code (accents and case aside) hides the other boxes; ticked
// units stay in view. Without this script the form works as a list of boxes.
(function () {
  "use strict";
  function fold(text) {
    return text
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d")
      .toLowerCase();
  }
  document.querySelectorAll("[data-unit-picker]").forEach(function (picker) {
    var filter = picker.querySelector(".unit-filter");
    var input = filter.querySelector("input");
    var count = filter.querySelector("small");
    var labels = Array.prototype.slice.call(picker.querySelectorAll(".unit-list label"));
    var keys = labels.map(function (l) { return fold(l.textContent); });
    var template = picker.getAttribute("data-count-text") || "{n}";
    function boxOf(label) { return label.querySelector("input"); }
    function apply() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      labels.forEach(function (label, i) {
        var match = words.every(function (w) { return keys[i].indexOf(w) !== -1; });
        label.hidden = !(match || boxOf(label).checked);
        if (match) { shown += 1; }
      });
      count.textContent = words.length ? template.replace("{n}", String(shown)) : "";
    }
    filter.hidden = false;
    input.addEventListener("input", apply);
    // Enter ticks the one unit left instead of sending the form.
    input.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") { return; }
      e.preventDefault();
      var left = labels.filter(function (l) { return !l.hidden && !boxOf(l).checked; });
      if (left.length === 1 && input.value.trim()) {
        boxOf(left[0]).checked = true;
        input.value = "";
        apply();
      }
    });
  });
})();
