// Material for MkDocs' storage helpers, moved out of the theme's inline script so that the site runs under a
// strict Content Security Policy (no inline scripts). Same globals, same behaviour; the scope comes from data-scope.
(function () {
  "use strict";
  var scope = document.currentScript.dataset.scope || ".";
  window.__md_scope = new URL(scope, location);
  window.__md_hash = function (value) {
    return Array.from(value).reduce(function (hash, char) {
      return (hash << 5) - hash + char.charCodeAt(0);
    }, 0);
  };
  window.__md_get = function (key, storage, base) {
    storage = storage || localStorage;
    base = base || window.__md_scope;
    return JSON.parse(storage.getItem(base.pathname + "." + key));
  };
  window.__md_set = function (key, value, storage, base) {
    storage = storage || localStorage;
    base = base || window.__md_scope;
    try {
      storage.setItem(base.pathname + "." + key, JSON.stringify(value));
    } catch (error) {
      // Storage full or blocked: the site works without it.
    }
  };
})();
