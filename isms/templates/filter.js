(function () {
  "use strict";
  // Adds a filter box above long tables. The pages are complete without it.
  var label = document.documentElement.getAttribute("data-filter-label") || "Filter";
  var tables = document.querySelectorAll("table.filterable");
  Array.prototype.forEach.call(tables, function (table, n) {
    var body = table.tBodies[0];
    if (!body || body.rows.length < 8) { return; }
    var input = document.createElement("input");
    input.type = "search";
    input.className = "filter";
    input.id = "filter-" + n;
    input.placeholder = label;
    input.setAttribute("aria-label", label);
    if (table.id) { input.setAttribute("aria-controls", table.id); }
    var wrap = table.parentNode;
    wrap.parentNode.insertBefore(input, wrap);
    input.addEventListener("input", function () {
      var q = input.value.toLowerCase();
      Array.prototype.forEach.call(body.rows, function (row) {
        row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) === -1;
      });
    });
  });
}());
