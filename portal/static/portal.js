// Move the focus to the error summary, so that screen readers announce it and keyboard users start there.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});

// The attendance grid: Tab enters and leaves the grid in one step (one cell at a time is in the tab order, the one
// last focused), arrow keys move between the day cells (Enter moves down, as in a spreadsheet), a cell's text is selected on focus (typing replaces it), and
// the draft is saved in the background a moment after each change. Without JavaScript every cell is in the tab
// order and the buttons save.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("[data-grid-form]");
  if (!form) {
    return;
  }
  var status = form.querySelector("[data-grid-status]");
  var version = form.querySelector("[data-version]");
  var timer = null;
  var rows = Array.prototype.map.call(form.querySelectorAll("tbody tr"), function (row) {
    return Array.prototype.slice.call(row.querySelectorAll("[data-cell]"));
  });

  function move(cell, dx, dy) {
    for (var y = 0; y < rows.length; y++) {
      var x = rows[y].indexOf(cell);
      if (x >= 0) {
        var target = (rows[y + dy] || [])[x + dx];
        if (target) {
          target.focus();
        }
        return;
      }
    }
  }

  function save() {
    var data = new FormData(form);
    data.set("action", "autosave");
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" }).then(function (response) {
      if (response.status === 204) {
        version.value = response.headers.get("X-Version") || version.value;
        status.textContent = "Entwurf gespeichert um " + new Date().toLocaleTimeString("de-DE", { hour: "2-digit", minute: "2-digit" }) + " Uhr.";
      } else {
        status.textContent = "Nicht gespeichert: Bitte laden Sie die Seite neu. Ihre letzten Eingaben bleiben bis dahin im Formular.";
      }
    }).catch(function () {
      status.textContent = "Keine Verbindung: Ihre Eingaben sind noch nicht gespeichert. Bitte speichern Sie gleich noch einmal.";
    });
  }

  var cells = form.querySelectorAll("[data-cell]");
  Array.prototype.forEach.call(cells, function (cell, index) {
    cell.tabIndex = index === 0 ? 0 : -1;
  });

  var keys = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1], Enter: [0, 1] };
  form.addEventListener("keydown", function (event) {
    var step = keys[event.key];
    if (step && event.target.hasAttribute("data-cell") && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      move(event.target, step[0], step[1]);
    }
  });
  form.addEventListener("focusin", function (event) {
    if (event.target.hasAttribute("data-cell")) {
      Array.prototype.forEach.call(cells, function (cell) {
        cell.tabIndex = cell === event.target ? 0 : -1;
      });
      event.target.select();
    }
  });
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  });
  form.addEventListener("submit", function () {
    clearTimeout(timer);
  });
});
