// Keyboard shortcuts for a long review queue: S, D and U decide the first pair on the page.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var key = (event.key || "").toLowerCase();
    var button = document.querySelector("section.pair form.verdict button[data-key='" + key + "']");
    if (!button) return;
    event.preventDefault();
    button.click();
  });
})();
