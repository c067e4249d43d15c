// The review dashboard: "select all" for the bulk refresh, and a spoken count of the selection.
(function () {
  "use strict";
  var form = document.getElementById("bulk-form");
  if (!form) return;
  var all = document.getElementById("select-all");
  var counter = document.getElementById("selection-count");
  function boxes() {
    return Array.prototype.slice.call(form.querySelectorAll("input.row-select"));
  }
  function update() {
    var list = boxes();
    var checked = list.filter(function (b) { return b.checked; }).length;
    if (all) {
      all.checked = checked > 0 && checked === list.length;
      all.indeterminate = checked > 0 && checked < list.length;
    }
    if (counter) counter.textContent = checked ? checked + " selected" : "";
  }
  if (all) {
    all.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = all.checked; });
      update();
    });
  }
  form.addEventListener("change", function (event) {
    if (event.target.classList.contains("row-select")) update();
  });
  update();
})();
