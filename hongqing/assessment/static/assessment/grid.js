// The monthly grid: arrow keys and Enter move between cells; a block pasted from Excel (tab- and
// newline-separated) fills the cells from the one the cursor is in. Works again after an HTMX swap.
(function () {
  "use strict";
  function cellAt(table, r, c) {
    return table.querySelector('input.hq-cell[data-r="' + r + '"][data-c="' + c + '"]');
  }
  function markChanged(input) {
    if (input.value !== input.defaultValue) input.classList.add("hq-changed");
    else input.classList.remove("hq-changed");
    var counter = document.getElementById("grid-changed");
    if (counter) {
      var n = document.querySelectorAll("#value-grid input.hq-changed").length;
      counter.textContent = n ? counter.dataset.template.replace("{n}", n) : "";
    }
  }
  function move(table, input, dr, dc) {
    var r = +input.dataset.r, c = +input.dataset.c;
    for (var step = 0; step < 200; step++) {
      r += dr; c += dc;
      if (r < 0 || c < 0) return;
      var next = cellAt(table, r, c);
      if (next) { next.focus(); next.select(); return; }
      if (!table.querySelector('input.hq-cell[data-r="' + r + '"]') && dr) return;
      if (!table.querySelector('input.hq-cell[data-c="' + c + '"]') && dc) return;
    }
  }
  document.addEventListener("keydown", function (e) {
    var input = e.target;
    if (!input.classList || !input.classList.contains("hq-cell")) return;
    var table = input.closest("table");
    var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    var atEnd = input.selectionStart === input.value.length;
    if (e.key === "ArrowDown" || (e.key === "Enter" && !e.shiftKey)) { e.preventDefault(); move(table, input, 1, 0); }
    else if (e.key === "ArrowUp" || (e.key === "Enter" && e.shiftKey)) { e.preventDefault(); move(table, input, -1, 0); }
    else if (e.key === "ArrowLeft" && atStart) { e.preventDefault(); move(table, input, 0, -1); }
    else if (e.key === "ArrowRight" && atEnd) { e.preventDefault(); move(table, input, 0, 1); }
  });
  document.addEventListener("input", function (e) {
    if (e.target.classList && e.target.classList.contains("hq-cell")) markChanged(e.target);
  });
  document.addEventListener("paste", function (e) {
    var input = e.target;
    if (!input.classList || !input.classList.contains("hq-cell") || input.readOnly) return;
    var text = (e.clipboardData || window.clipboardData).getData("text");
    if (text.indexOf("\t") < 0 && text.indexOf("\n") < 0) return; // one value: the browser pastes it
    e.preventDefault();
    var lines = text.replace(/\r/g, "").split("\n");
    if (lines.length && lines[lines.length - 1] === "") lines.pop();
    var table = input.closest("table"), r0 = +input.dataset.r, c0 = +input.dataset.c;
    lines.forEach(function (line, i) {
      line.split("\t").forEach(function (value, j) {
        var target = cellAt(table, r0 + i, c0 + j);
        if (target && !target.readOnly) { target.value = value.trim(); markChanged(target); }
      });
    });
  });
})();
