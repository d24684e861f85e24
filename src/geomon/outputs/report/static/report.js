/* geomon report: render the Vega-Lite charts; sort, filter and search tables. No framework. */
(function () {
  "use strict";

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : {};
  }

  /* Charts: every spec in #vega-specs goes into the element with its id. */
  function renderCharts() {
    var specs = readJSON("vega-specs");
    var options = readJSON("vega-options");
    var ids = Object.keys(specs);
    var done = ids.map(function (id) {
      var el = document.getElementById(id);
      if (!el) { return Promise.resolve(); }
      return vegaEmbed(el, specs[id], options).then(function () {
        el.setAttribute("data-rendered", "true");
      }).catch(function (err) {
        el.setAttribute("data-error", String(err));
        console.error("geomon chart " + id + " failed: " + err);
      });
    });
    Promise.all(done).then(function () {
      document.body.setAttribute("data-charts", String(ids.length));
    });
  }

  /* Sorting: a click on a header sorts by that column (data-v of each cell). */
  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    var v = cell ? cell.getAttribute("data-v") : null;
    if (v === null) { v = cell ? cell.textContent.trim() : ""; }
    if (!numeric) { return v.toLowerCase(); }
    var x = parseFloat(v);
    return isNaN(x) ? -Infinity : x;
  }

  function makeSortable(table) {
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, index) {
      var button = th.querySelector("button");
      if (!button) { return; }
      button.addEventListener("click", function () {
        var numeric = th.getAttribute("data-type") === "num";
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        if (numeric && !th.hasAttribute("aria-sort")) { ascending = false; }
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
          var c = x < y ? -1 : x > y ? 1 : 0;
          return ascending ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  /* Filters and search on the product table. */
  function setupFilters() {
    var table = document.getElementById("product-table");
    if (!table) { return; }
    var tier = document.getElementById("filter-tier");
    var supplier = document.getElementById("filter-supplier");
    var area = document.getElementById("filter-area");
    var search = document.getElementById("search");
    var count = document.getElementById("shown-count");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);

    function apply() {
      var t = tier.value, s = supplier.value, a = area.value;
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var text = row.getAttribute("data-text") || "";
        var areas = (row.getAttribute("data-areas") || "").split("|");
        var ok = (!t || row.getAttribute("data-tier") === t) &&
                 (!s || row.getAttribute("data-supplier") === s) &&
                 (!a || areas.indexOf(a) >= 0) &&
                 words.every(function (w) { return text.indexOf(w) >= 0; });
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      count.textContent = count.getAttribute("data-template")
        .replace("{shown}", String(shown)).replace("{total}", count.getAttribute("data-total"));
      count.setAttribute("data-shown", String(shown));
    }

    [tier, supplier, area].forEach(function (el) { el.addEventListener("change", apply); });
    search.addEventListener("input", apply);
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
  setupFilters();
  renderCharts();
})();
