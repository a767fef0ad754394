// Bursa's service worker: a ticket a person opened opens again without a network (a venue's
// hall often has none). Network first, so a ticket shows its check-in as soon as it happens;
// the copy kept on the phone when the network fails. Only ticket pages and the site's own
// assets are kept, only answers to GET, never a redirect or an error; the pages forget them all
// when nobody is signed in (see bursa.js), so the next person on a shared phone sees none.
"use strict";
var CACHE = "bursa-tickets";
var TICKET = /^\/me\/registrations\/[^/]+$/;

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function kept(url) {
  return url.origin === self.location.origin &&
    (TICKET.test(url.pathname) || url.pathname.indexOf("/static/") === 0);
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (!kept(url)) return;
  event.respondWith(
    fetch(request).then(function (response) {
      // A sign-in redirect or a not-found page is no ticket: drop any copy instead.
      var keep = response.ok && !response.redirected && response.type === "basic";
      var copy = keep ? response.clone() : null;
      event.waitUntil(caches.open(CACHE).then(function (cache) {
        return keep ? cache.put(request, copy) : cache.delete(request);
      }));
      return response;
    }).catch(function () {
      return caches.match(request).then(function (hit) {
        return hit || Response.error();
      });
    })
  );
});
