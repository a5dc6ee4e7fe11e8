/* The case page (issue 17): a checklist link to "#record-<key>" lands on a closed
   <details> record form; open it so what is missing can be typed at once. */
(function () {
  "use strict";
  function openTarget() {
    if (!location.hash) { return; }
    var el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (el && el.tagName === "DETAILS") { el.open = true; el.scrollIntoView(); }
  }
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", openTarget);
})();
