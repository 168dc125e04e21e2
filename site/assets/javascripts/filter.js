// Instant filtering of the offer list on /angebote/filtern/. Without JavaScript the page shows the full list;
// with it, the (hidden) form appears and every change hides the list items that do not match their data-*.
(function () {
  "use strict";
  var form = document.querySelector("[data-offer-filter]");
  var list = document.querySelector("[data-offer-list]");
  var count = document.querySelector("[data-offer-count]");
  if (!form || !list || !count) {
    return;
  }
  var items = Array.prototype.slice.call(list.querySelectorAll("li[data-field]"));

  function matches(item, wanted) {
    var data = item.dataset;
    if (wanted.stadtteil && data.districts.split(" ").indexOf(wanted.stadtteil) < 0) {
      return false;
    }
    if (wanted.einsatzfeld && data.field !== wanted.einsatzfeld) {
      return false;
    }
    if (wanted.stunden && !(data.hours !== "" && Number(data.hours) <= Number(wanted.stunden))) {
      return false;
    }
    if (wanted.frei && Number(data.free) < 1) {
      return false;
    }
    return !(wanted.barrierefrei && data.barrierFree !== "1");
  }

  function wantedValues() {
    var wanted = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name) {
        wanted[field.name] = field.type === "checkbox" ? (field.checked ? "1" : "") : field.value;
      }
    });
    return wanted;
  }

  function describe(shown) {
    if (shown === items.length) {
      return items.length === 1 ? "1 Angebot" : items.length + " Angebote";
    }
    return shown + " von " + items.length + " Angeboten passen zu Ihrer Auswahl";
  }

  function apply() {
    var wanted = wantedValues();
    var shown = 0;
    items.forEach(function (item) {
      var visible = matches(item, wanted);
      item.hidden = !visible;
      shown += visible ? 1 : 0;
    });
    count.textContent = describe(shown);
    var query = new URLSearchParams();
    Object.keys(wanted).forEach(function (name) {
      if (wanted[name]) {
        query.set(name, wanted[name]);
      }
    });
    var search = query.toString();
    history.replaceState(null, "", search ? "?" + search : location.pathname);
  }

  function restore() {
    var query = new URLSearchParams(location.search);
    Array.prototype.forEach.call(form.elements, function (field) {
      var value = query.get(field.name);
      if (!field.name || value === null) {
        return;
      }
      if (field.type === "checkbox") {
        field.checked = value === "1";
      } else {
        field.value = value;
      }
    });
  }

  form.hidden = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () {
    setTimeout(apply, 0);
  });
  restore();
  apply();
})();
