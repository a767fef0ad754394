// Bursa's service worker: a ticket a person opened opens again without a network (a venue's
// hall often has none). Network first, so a ticket shows its check-in as soon as it happens;
// the copy kept on the phone when the network fails. Only ticket pages and the site's own
// assets are kept, only answers to GET, never a redirect or an error; the pages forget them all
// when nobody is signed in (see bursa.js), so the next person on a shared phone sees none.
// The door scanner (/door) is kept too, in its own cache: it holds no personal page (its pass
// and list live in the page's own storage), and it must open at a door without a network.
"use strict";
var CACHE = "bursa-tickets";
var TICKET = /^\/me\/registrations\/[^/]+$/;
var DOOR_CACHE = "bursa-door";
var DOOR = "/door";

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function kept(url) {
  return url.origin === self.location.origin &&
    (TICKET.test(url.pathname) || url.pathname === DOOR || url.pathname.indexOf("/static/") === 0);
}

// The door scanner asks for itself and its assets (the QR decoder too, which it loads only when
// the camera opens) to be kept: fetched here, so they weigh nothing on the page's first load.
self.addEventListener("message", function (event) {
  var urls = event.data && event.data.keepDoor;
  if (!Array.isArray(urls)) return;
  var own = urls.map(function (u) { return new URL(u, self.location.origin); }).filter(kept);
  event.waitUntil(caches.open(DOOR_CACHE).then(function (cache) {
    return cache.addAll(own.map(function (u) { return u.pathname + u.search; }));
  }));
});

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
      event.waitUntil(caches.open(url.pathname === DOOR ? DOOR_CACHE : CACHE).then(function (cache) {
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
