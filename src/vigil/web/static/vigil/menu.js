/*
 * Vigil: the site menu on a phone. Below 48rem the header shows the brand and a "Menu" button; the links, the
 * sign-out and the languages open under it, so the page's own content starts near the top of the screen.
 * Without scripts (noscript.css) the menu is simply always shown. No inline script: the Content Security Policy
 * allows only same-origin script files.
 */
(function () {
  "use strict";

  function start() {
    var header = document.querySelector("header.top");
    var toggle = header && header.querySelector(".menu-toggle");
    if (!toggle) return;
    function set(open) {
      header.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    toggle.addEventListener("click", function () {
      set(!header.classList.contains("open"));
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && header.classList.contains("open")) {
        set(false);
        toggle.focus();
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
