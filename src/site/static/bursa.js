// Bursa: small enhancements only; every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // A "print" button where printing helps (tickets): a real button only when script runs.
  document.querySelectorAll("[data-print]").forEach(function (el) {
    el.hidden = false;
    el.addEventListener("click", function () { window.print(); });
  });
});
