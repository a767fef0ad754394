// Bursa's door scanner (/door): checks people in at a fair's door, with or without a network.
//
// The door pass arrives in the address's fragment (/door#event=…&pass=bdp_…), which is never
// sent to a server; it is kept in this browser's localStorage and taken out of the address bar.
// The fair's check-in list (a hash of each code, a short name, whether the person is in) is
// downloaded into IndexedDB and refreshed with ?since=. Each scan is decided against that list
// at once, queued in IndexedDB with its client_id and scanned_at, and uploaded to
// /check-ins/batch whenever the network is there: the server decides again and its answer
// stands (an upload twice counts once). The service worker (/sw.js) keeps this page for
// opening offline.
"use strict";
(function () {
  var root = document.getElementById("door");
  if (!root) return;
  var T = JSON.parse(document.getElementById("door-texts").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var PASS_KEY = "bursa-door-pass";
  var DB_NAME = "bursa-door";
  var BATCH = 500;
  var RETRY_MS = 20000;

  // ------------------------------------------------------------------ the code, as the server
  // Mirrors crate::registrations::codes::normalize_code: white space and hyphens removed,
  // ASCII letters upper-cased, I and L read as 1, O as 0 (a browser test proves they agree).
  function normalizeCode(raw) {
    return String(raw).replace(/[\s-]/g, "")
      .replace(/[a-z]/g, function (c) { return c.toUpperCase(); })
      .replace(/[IL]/g, "1").replace(/O/g, "0");
  }

  function codeHash(raw) {
    var bytes = new TextEncoder().encode(normalizeCode(raw));
    return crypto.subtle.digest("SHA-256", bytes).then(function (digest) {
      return Array.prototype.map.call(new Uint8Array(digest), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
    });
  }
  window.BursaDoor = {normalizeCode: normalizeCode, codeHash: codeHash};

  function newClientId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // ----------------------------------------------------------------------------- the pass
  function readPass() {
    var fragment = new URLSearchParams(location.hash.slice(1));
    var event = fragment.get("event"), pass = fragment.get("pass");
    if (event && pass) {
      localStorage.setItem(PASS_KEY, JSON.stringify({event: event, pass: pass}));
      // Out of the address bar, the history and any link shared from this screen.
      history.replaceState(null, "", location.pathname);
    }
    try {
      var kept = JSON.parse(localStorage.getItem(PASS_KEY) || "null");
      return kept && kept.event && kept.pass ? kept : null;
    } catch (e) {
      return null;
    }
  }

  var door = readPass();
  if (!door) {
    $("door-no-pass").textContent = T.no_pass;
    $("door-no-pass").hidden = false;
    return;
  }
  root.setAttribute("data-event", door.event);

  // ---------------------------------------------------------------------------- IndexedDB
  function request(req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  var dbReady = new Promise(function (resolve, reject) {
    var open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = function () {
      var db = open.result;
      var entries = db.createObjectStore("entries", {keyPath: "registration_id"});
      entries.createIndex("code_hash", "code_hash");
      entries.createIndex("event_id", "event_id");
      db.createObjectStore("queue", {keyPath: "client_id"});
      db.createObjectStore("meta");
    };
    open.onsuccess = function () { resolve(open.result); };
    open.onerror = function () { reject(open.error); };
  });

  function store(name, mode) {
    return dbReady.then(function (db) {
      return db.transaction(name, mode || "readonly").objectStore(name);
    });
  }

  function done(tx) {
    return new Promise(function (resolve, reject) {
      tx.oncomplete = function () { resolve(); };
      tx.onerror = function () { reject(tx.error); };
      tx.onabort = function () { reject(tx.error); };
    });
  }

  function getMeta(key) {
    return store("meta").then(function (s) { return request(s.get(door.event + ":" + key)); });
  }

  function setMeta(key, value) {
    return store("meta", "readwrite").then(function (s) {
      return request(s.put(value, door.event + ":" + key));
    });
  }

  function entriesOfFair() {
    return store("entries").then(function (s) {
      return request(s.index("event_id").getAll(door.event));
    });
  }

  function queued() {
    return store("queue").then(function (s) { return request(s.getAll()); })
      .then(function (all) { return all.filter(function (q) { return q.event_id === door.event; }); });
  }

  // ------------------------------------------------------------------------------ showing
  var online = navigator.onLine;

  function showNetwork() {
    $("door-network").textContent = online ? T.online : T.offline;
    root.setAttribute("data-online", online ? "yes" : "no");
  }

  function showQueue() {
    return queued().then(function (items) {
      $("door-queue").textContent = T.queue.replace("{count}", items.length);
      root.setAttribute("data-queue", String(items.length));
    });
  }

  function showListSize() {
    return entriesOfFair().then(function (items) {
      $("door-list").textContent = T.list_ready.replace("{count}", items.length);
      root.setAttribute("data-list", String(items.length));
    });
  }

  // kind: admitted | already | wrong | window | closed
  var VERDICT = {
    checked_in: "admitted",
    already_checked_in: "already",
    not_found: "wrong",
    outside_check_in_window: "window",
    event_not_open: "closed"
  };
  var VERDICT_TEXT = {
    admitted: "admitted", already: "already_in", wrong: "not_found",
    window: "outside_window", closed: "event_not_open"
  };
  var lastClientId = null;

  function show(kind, detail) {
    var box = $("door-result");
    box.className = "door-result door-" + kind;
    box.setAttribute("data-verdict", kind);
    $("door-verdict").textContent = T[VERDICT_TEXT[kind]];
    $("door-detail").textContent = detail || "";
  }

  function clockOf(iso) {
    var at = new Date(iso);
    return isNaN(at) ? "" : at.toLocaleTimeString(document.documentElement.lang === "en" ? "en-GB" : "id-ID",
      {hour: "2-digit", minute: "2-digit"});
  }

  // ---------------------------------------------------------------------- talking to the API
  function api(method, path, body) {
    var headers = {"Authorization": "Bearer " + door.pass, "Accept": "application/json"};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch("/api/v1" + path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit"
    }).then(function (response) {
      online = true;
      showNetwork();
      if (response.status === 401) {
        $("door-no-pass").textContent = T.pass_refused;
        $("door-no-pass").hidden = false;
      }
      return response.json().catch(function () { return {}; }).then(function (json) {
        return {status: response.status, body: json};
      });
    }, function (error) {
      online = false;
      showNetwork();
      throw error;
    });
  }

  // Merges a page of the list: the server's word, but a check-in this device made and has
  // not uploaded yet stays.
  function merge(items) {
    return dbReady.then(function (db) {
      var tx = db.transaction("entries", "readwrite");
      var s = tx.objectStore("entries");
      items.forEach(function (item) {
        var req = s.get(item.registration_id);
        req.onsuccess = function () {
          var old = req.result;
          item.event_id = door.event;
          if (old && old.local_in_at && !item.checked_in) item.local_in_at = old.local_in_at;
          s.put(item);
        };
      });
      return done(tx);
    });
  }

  var refreshing = null;
  function refreshList() {
    if (refreshing) return refreshing;
    refreshing = getMeta("as_of").then(function (since) {
      if (!since) $("door-list").textContent = T.list_loading;
      function page(cursor) {
        var query = "?limit=5000";
        if (since) query += "&since=" + encodeURIComponent(since);
        if (cursor) query += "&cursor=" + encodeURIComponent(cursor);
        return api("GET", "/events/" + encodeURIComponent(door.event) + "/check-in-list" + query)
          .then(function (answer) {
            if (answer.status !== 200) throw new Error("list " + answer.status);
            return merge(answer.body.items).then(function () {
              return answer.body.next_cursor ? page(answer.body.next_cursor) : answer.body.as_of;
            });
          });
      }
      return page(null).then(function (asOf) { return setMeta("as_of", asOf); });
    }).then(showListSize, function () {
      return getMeta("as_of").then(function (since) {
        if (!since) $("door-list").textContent = T.list_failed;
      });
    }).then(function () { refreshing = null; });
    return refreshing;
  }

  var uploading = null;
  function upload() {
    if (uploading) return uploading;
    uploading = queued().then(function (items) {
      if (!items.length) return;
      items.sort(function (a, b) { return a.scanned_at < b.scanned_at ? -1 : 1; });
      var batch = items.slice(0, BATCH);
      var scans = batch.map(function (q) {
        return {client_id: q.client_id, check_in_code: q.check_in_code, scanned_at: q.scanned_at};
      });
      return api("POST", "/events/" + encodeURIComponent(door.event) + "/check-ins/batch", {scans: scans})
        .then(function (answer) {
          if (answer.status !== 200) return;
          return applyResults(answer.body.results).then(function () {
            if (items.length > BATCH) { uploading = null; return upload(); }
          });
        });
    }).catch(function () { /* offline: the queue waits for the network */ })
      .then(function () { uploading = null; return showQueue(); });
    return uploading;
  }

  // The server's answers: each scan leaves the queue; the list learns who is in.
  function applyResults(results) {
    return dbReady.then(function (db) {
      var tx = db.transaction(["queue", "entries"], "readwrite");
      var queue = tx.objectStore("queue"), entries = tx.objectStore("entries");
      results.forEach(function (result) {
        queue.delete(result.client_id);
        if (result.registration_id &&
            (result.status === "checked_in" || result.status === "already_checked_in")) {
          var req = entries.get(result.registration_id);
          req.onsuccess = function () {
            if (!req.result) return;
            req.result.checked_in = true;
            entries.put(req.result);
          };
        }
        if (result.client_id === lastClientId) {
          var kind = VERDICT[result.status] || "wrong";
          if (kind !== root.getAttribute("data-local-verdict")) show(kind, "");
        }
      });
      return done(tx);
    });
  }

  // ------------------------------------------------------------------------------ a scan
  var busy = Promise.resolve();
  function scan(raw) {
    var code = normalizeCode(raw);
    if (!code) {
      show("wrong", T.code_empty);
      return Promise.resolve();
    }
    busy = busy.then(function () {
      return codeHash(code).then(function (hash) {
        return store("entries").then(function (s) {
          return request(s.index("code_hash").getAll(hash));
        }).then(function (found) {
          var entry = found.filter(function (e) { return e.event_id === door.event; })[0];
          var at = new Date().toISOString();
          if (entry && (entry.checked_in || entry.local_in_at)) {
            root.setAttribute("data-local-verdict", "already");
            lastClientId = null;
            var when = entry.checked_in_at || entry.local_in_at;
            show("already", entry.display_name +
              (when ? " · " + T.checked_in_at.replace("{time}", clockOf(when)) : ""));
            return;
          }
          var item = {client_id: newClientId(), event_id: door.event, check_in_code: code, scanned_at: at};
          lastClientId = item.client_id;
          var kind = entry ? "admitted" : "wrong";
          root.setAttribute("data-local-verdict", kind);
          show(kind, entry ? entry.display_name : "");
          return dbReady.then(function (db) {
            var tx = db.transaction(["queue", "entries"], "readwrite");
            tx.objectStore("queue").put(item);
            if (entry) {
              entry.local_in_at = at;
              tx.objectStore("entries").put(entry);
            }
            return done(tx);
          }).then(showQueue).then(function () {
            if (online) upload();
          });
        });
      });
    }).catch(function () { show("wrong", ""); });
    return busy;
  }

  $("door-code-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var input = $("door-code");
    var value = input.value;
    input.value = "";
    scan(value).then(function () { input.focus(); });
  });

  // ------------------------------------------------------------------------------ camera
  var camera = $("door-camera"), video = $("door-video"), stopCamera = null;
  if (window.BursaScan && navigator.mediaDevices) {
    camera.hidden = false;
    camera.addEventListener("click", function () {
      if (stopCamera) {
        stopCamera();
        stopCamera = null;
        video.hidden = true;
        camera.textContent = T.camera_start;
        return;
      }
      video.hidden = false;
      window.BursaScan.start({video: video, onCode: scan}).then(function (stop) {
        stopCamera = stop;
        camera.textContent = T.camera_stop;
      }, function () {
        video.hidden = true;
        show("wrong", T.camera_failed);
      });
    });
  }

  // ------------------------------------------------------------------------------ search
  function listResults(people, heading) {
    var box = $("door-search-results");
    box.textContent = "";
    if (heading) {
      var p = document.createElement("p");
      p.className = "hint";
      p.textContent = heading;
      box.appendChild(p);
    }
    if (!people.length) {
      var none = document.createElement("p");
      none.textContent = T.search_none;
      box.appendChild(none);
      return;
    }
    var ul = document.createElement("ul");
    ul.className = "door-people";
    people.slice(0, 20).forEach(function (person) {
      var li = document.createElement("li");
      var inside = person.checked_in || person.local_in_at;
      li.textContent = person.display_name + " · " + (inside ? T.search_in : T.search_not_in);
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }

  $("door-search-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var q = $("door-search").value.trim();
    if (!q) return;
    var digits = q.replace(/[\s+()-]/g, "");
    if (/^\d{6,}$/.test(digits)) {
      // A phone number: only the server knows them (never kept on this device).
      if (!online) { listResults([], T.search_offline); return; }
      api("GET", "/events/" + encodeURIComponent(door.event) + "/check-in-list/search?q=" +
        encodeURIComponent(q)).then(function (answer) {
        listResults(answer.status === 200 ? answer.body.items : [], "");
      }, function () { listResults([], T.search_offline); });
      return;
    }
    var needle = q.toLowerCase();
    entriesOfFair().then(function (all) {
      listResults(all.filter(function (p) {
        return p.display_name.toLowerCase().indexOf(needle) >= 0;
      }).sort(function (a, b) { return a.display_name < b.display_name ? -1 : 1; }), "");
    });
  });

  // ------------------------------------------------------------------------------ walk-in
  var walkIn = $("door-walk-in");
  walkIn.addEventListener("submit", function (e) {
    e.preventDefault();
    var result = $("door-walk-in-result");
    walkIn.querySelectorAll(".field-error").forEach(function (p) { p.hidden = true; p.textContent = ""; });
    walkIn.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    if (!online) { result.textContent = T.walk_in_offline; return; }
    var form = new FormData(walkIn);
    var body = {
      full_name: form.get("full_name") || null,
      nik: form.get("nik") || null,
      birth_date: form.get("birth_date") || null,
      gender: form.get("gender") || null,
      education_level: form.get("education_level") || null,
      province_code: form.get("province_code") || null,
      city: form.get("city") || null,
      disability: form.get("disability") === "true",
      phone: form.get("phone") || null,
      consent: form.get("consent") === "true"
    };
    api("POST", "/events/" + encodeURIComponent(door.event) + "/walk-ins", body).then(function (answer) {
      if (answer.status === 201 || answer.status === 200) {
        result.textContent = (answer.status === 201 ? T.walk_in_done : T.walk_in_already)
          .replace("{name}", answer.body.job_seeker && answer.body.job_seeker.full_name || body.full_name);
        walkIn.reset();
        refreshList();
        return;
      }
      var error = answer.body.error || {};
      var first = null;
      (error.details || []).forEach(function (detail) {
        var name = detail.field === "disability_type" ? "disability" : detail.field;
        var p = $("wi-" + name + "-error");
        if (!p) return;
        p.textContent = T.required;
        p.hidden = false;
        var input = walkIn.querySelector("[name=" + name + "]");
        if (input) input.setAttribute("aria-invalid", "true");
        first = first || input;
      });
      result.textContent = error.code === "identity_mismatch" ? T.walk_in_mismatch : T.walk_in_failed;
      if (first) first.focus();
    }, function () { result.textContent = T.walk_in_offline; });
  });

  // ------------------------------------------------------------------------------ network
  function sync() {
    return upload().then(refreshList);
  }
  window.addEventListener("online", function () { online = true; showNetwork(); sync(); });
  window.addEventListener("offline", function () { online = false; showNetwork(); });
  setInterval(sync, RETRY_MS);

  showNetwork();
  showQueue();
  showListSize().then(sync).then(function () {
    root.setAttribute("data-ready", "");
  });

  // The page opens again without a network: the service worker keeps it and its assets.
  if ("serviceWorker" in navigator && "caches" in window) {
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var urls = [location.pathname];
      document.querySelectorAll("link[rel=stylesheet], link[rel=icon], script[src]")
        .forEach(function (el) { urls.push(el.getAttribute("href") || el.getAttribute("src")); });
      var decoder = document.querySelector("script[data-decoder]");
      if (decoder) urls.push(decoder.getAttribute("data-decoder"));
      registration.active.postMessage({keepDoor: urls});
    }).then(function () {
      root.setAttribute("data-offline-ready", "");
    }).catch(function () { /* no offline copy; the page works while it is open */ });
  }
})();
