// Bursa: small enhancements only; every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // A "print" button where printing helps (tickets): a real button only when script runs.
  document.querySelectorAll("[data-print]").forEach(function (el) {
    el.hidden = false;
    el.addEventListener("click", function () { window.print(); });
  });

  // Tickets open offline (static/sw.js keeps them). The cache is this person's only: a page
  // seen signed out forgets it, and so does signing out.
  var CACHE = "bursa-tickets";
  var signOut = document.querySelector("form[action='/sign-out']");
  if ("caches" in window) {
    if (!signOut) {
      caches.delete(CACHE);
    } else {
      signOut.addEventListener("submit", function () { caches.delete(CACHE); });
    }
  }
  if ("serviceWorker" in navigator && "caches" in window &&
      document.querySelector("[data-offline-ticket]")) {
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).then(function () {
      // The worker sees only the pages loaded after it: keep this one and its assets now.
      var urls = [location.pathname];
      document.querySelectorAll("link[rel=stylesheet], link[rel=icon], script[src]")
        .forEach(function (el) { urls.push(el.getAttribute("href") || el.getAttribute("src")); });
      return caches.open(CACHE).then(function (cache) { return cache.addAll(urls); });
    }).then(function () {
      document.documentElement.setAttribute("data-offline-ready", "");
    }).catch(function () { /* no offline copy; the page itself works */ });
  }
});
