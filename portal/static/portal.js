// Move the focus to the error summary, so that screen readers announce it and keyboard users start there.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});

// The attendance grid: Tab enters and leaves the grid in one step (one cell at a time is in the tab order, the one
// last focused), arrow keys move between the day cells (Enter moves down, as in a spreadsheet), a cell's text is
// selected on focus (typing replaces it), "Alle Arbeitstage anwesend" fills its row in place, and the draft is saved
// in the background a moment after each change. Without JavaScript every cell is in the tab order and the buttons
// save (and fill a row) on the server.
//
// An entry that is not saved yet is never lost: until the server confirms it, it is kept in the browser
// (sessionStorage: it survives a reload or a crash of the tab, not the end of the browser session, so that no
// attendance data stays behind on a shared computer) and put back into its cell when the page is opened again.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("[data-grid-form]");
  if (!form) {
    return;
  }
  // Not `form.action`: the form has a button named "action", which that property would return instead.
  var url = form.getAttribute("action");
  var key = "portal-grid:" + url;
  var status = form.querySelector("[data-grid-status]");
  var retry = form.querySelector("[data-grid-retry]");
  var version = form.querySelector("[data-version]");
  var cells = form.querySelectorAll("[data-cell]");
  var timer = null;
  var busy = false;
  var again = false;
  var onRetry = null;
  var note = ""; // said before the next status: that entries of an earlier visit were put back
  var pending = read();

  // --- moving between cells: by participant and day, so that a row with fewer assigned days keeps the columns ---
  var rows = Array.prototype.map.call(form.querySelectorAll("tbody tr"), function (row) {
    var byDay = {};
    Array.prototype.forEach.call(row.querySelectorAll("[data-cell]"), function (cell) {
      byDay[dayOf(cell)] = cell;
    });
    return byDay;
  });

  function dayOf(cell) {
    return Number(cell.id.split("-")[2]);
  }

  function move(cell, dx, dy) {
    var day = dayOf(cell);
    var y = 0;
    while (rows[y][day] !== cell) {
      y += 1;
    }
    var target = null;
    for (var next = day + dx; dx && !target && next >= 1 && next <= 31; next += dx) {
      target = rows[y][next];
    }
    for (var row = y + dy; dy && !target && row >= 0 && row < rows.length; row += dy) {
      target = rows[row][day];
    }
    if (target) {
      target.focus();
    }
  }

  // --- entries kept in the browser until saved ---
  function read() {
    try {
      return JSON.parse(window.sessionStorage.getItem(key)) || {};
    } catch (error) {
      return {};
    }
  }

  function keep() {
    try {
      if (Object.keys(pending).length) {
        window.sessionStorage.setItem(key, JSON.stringify(pending));
      } else {
        window.sessionStorage.removeItem(key);
      }
      return true;
    } catch (error) {
      return false;
    }
  }

  function remember(cell) {
    pending[cell.name] = cell.value;
    keep();
  }

  function kept() {
    return keep()
      ? " Ihre Eingaben sind in diesem Browser aufbewahrt und gehen nicht verloren."
      : " Ihre Eingaben stehen weiter im Formular; bitte schließen Sie diese Seite nicht.";
  }

  // --- the status line and its one button ---
  function show(text, retryLabel, action) {
    status.textContent = note + text;
    onRetry = action || null;
    retry.hidden = !action;
    if (action) {
      retry.querySelector(".kern-label").textContent = retryLabel;
    }
  }

  function time() {
    return new Date().toLocaleTimeString("de-DE", { hour: "2-digit", minute: "2-digit" });
  }

  // --- saving ---
  function save() {
    clearTimeout(timer);
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    var sent = JSON.parse(JSON.stringify(pending));
    var data = new FormData(form);
    data.set("action", "autosave");
    show("Wird gespeichert …");
    fetch(url, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        return response.text().then(function (text) {
          answered(response, text, sent);
        });
      })
      .catch(unreachable)
      .then(function () {
        busy = false;
        if (again) {
          again = false;
          save();
        }
      });
  }

  // 204: saved; 200: saved, with a note of what was refused; 409: someone else saved first; 422: refused.
  // A redirect is the way to the sign-in page: the session has ended.
  function answered(response, text, sent) {
    if (response.redirected) {
      show(
        "Nicht gespeichert: Ihre Anmeldung ist abgelaufen." + kept() +
          " Melden Sie sich in einem anderen Tab wieder an und speichern Sie dann erneut.",
        "Erneut speichern",
        save
      );
    } else if (response.status === 204 || response.status === 200) {
      version.value = response.headers.get("X-Version") || version.value;
      Object.keys(sent).forEach(function (name) {
        if (pending[name] === sent[name]) {
          delete pending[name];
        }
      });
      keep();
      show(response.status === 204 ? "Entwurf gespeichert um " + time() + " Uhr." : text);
      note = "";
    } else if (response.status === 409) {
      show(
        "Nicht gespeichert: Jemand anderes hat diesen Bericht inzwischen geändert." + kept() +
          " Laden Sie den aktuellen Stand: Ihre Eingaben werden dann wieder eingetragen und gespeichert.",
        "Aktuellen Stand laden und Eingaben übernehmen",
        function () {
          window.location.reload();
        }
      );
    } else if (response.status === 422) {
      show(text);
    } else {
      unreachable();
    }
  }

  function unreachable() {
    show("Nicht gespeichert: Das Portal ist gerade nicht erreichbar." + kept(), "Erneut speichern", save);
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  }

  // --- wiring ---
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
  form.addEventListener("input", function (event) {
    if (event.target.hasAttribute("data-cell")) {
      remember(event.target);
      later();
    }
  });
  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fill-row]");
    if (!button) {
      return;
    }
    event.preventDefault(); // filled here; without JavaScript the server fills the row
    var row = button.closest("tr");
    Array.prototype.forEach.call(row.querySelectorAll("[data-cell][data-fill]"), function (cell) {
      cell.value = cell.getAttribute("data-fill");
      remember(cell);
    });
    save();
  });
  retry.addEventListener("click", function () {
    if (onRetry) {
      onRetry();
    }
  });
  form.addEventListener("submit", function () {
    clearTimeout(timer);
  });

  // Entries of an earlier visit that the server does not have yet: back into their cells, then saved. Compared with
  // what the server sent (`defaultValue`): the browser may have put the typed value back on its own.
  var restored = 0;
  Object.keys(pending).forEach(function (name) {
    var cell = form.elements.namedItem(name);
    if (!cell || !cell.hasAttribute || !cell.hasAttribute("data-cell") || cell.defaultValue === pending[name]) {
      delete pending[name];
    } else {
      cell.value = pending[name];
      restored += 1;
    }
  });
  keep();
  if (restored) {
    note =
      restored === 1
        ? "Eine noch nicht gespeicherte Eingabe aus diesem Browser ist wieder eingetragen. "
        : restored + " noch nicht gespeicherte Eingaben aus diesem Browser sind wieder eingetragen. ";
    save();
  }
});
