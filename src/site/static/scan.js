// Bursa's camera QR reader, shared by the pages that scan (the door, an employer's booth).
//
//   BursaScan.start({video, onCode}) -> Promise<stop()>
//
// Opens the back camera into `video`, reads QR codes from it and calls `onCode(text)` once per
// code (the same code again only after it left the picture for a moment), until `stop()` is
// called. It uses the browser's BarcodeDetector where there is one; elsewhere the vendored jsQR
// decoder (static/vendor/jsQR.js), loaded on first use from the URL in this script's
// `data-decoder` attribute unless the page already loaded it. The promise rejects when there
// is no camera or the person refused it: the page then offers typing the code.
"use strict";
(function () {
  var script = document.currentScript;
  var decoderUrl = script ? script.getAttribute("data-decoder") : null;
  // The same code seen again within this time is the same scan, not a second one.
  var REPEAT_MS = 2500;
  var FRAME_MS = 150;

  function loadJsQR() {
    if (window.jsQR) return Promise.resolve(window.jsQR);
    if (!decoderUrl) return Promise.reject(new Error("no QR decoder"));
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = decoderUrl;
      tag.onload = function () {
        return window.jsQR ? resolve(window.jsQR) : reject(new Error("no QR decoder"));
      };
      tag.onerror = function () { reject(new Error("the QR decoder did not load")); };
      document.head.appendChild(tag);
    });
  }

  // A function (video) -> Promise<string|null> that reads one frame.
  function makeDecoder() {
    if ("BarcodeDetector" in window) {
      var formats = window.BarcodeDetector.getSupportedFormats
        ? window.BarcodeDetector.getSupportedFormats()
        : Promise.resolve(["qr_code"]);
      return formats.then(function (list) {
        if (list.indexOf("qr_code") < 0) return jsQRDecoder();
        var detector = new window.BarcodeDetector({formats: ["qr_code"]});
        return function (video) {
          return detector.detect(video).then(function (codes) {
            return codes.length ? codes[0].rawValue : null;
          });
        };
      }).catch(jsQRDecoder);
    }
    return jsQRDecoder();
  }

  function jsQRDecoder() {
    return loadJsQR().then(function (jsQR) {
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", {willReadFrequently: true});
      return function (video) {
        var w = video.videoWidth, h = video.videoHeight;
        if (!w || !h) return Promise.resolve(null);
        // A smaller picture decodes faster and a QR code on a phone screen still reads.
        var scale = Math.min(1, 640 / Math.max(w, h));
        canvas.width = Math.round(w * scale);
        canvas.height = Math.round(h * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var found = jsQR(image.data, image.width, image.height, {inversionAttempts: "dontInvert"});
        return Promise.resolve(found ? found.data : null);
      };
    });
  }

  function start(options) {
    var video = options.video;
    var onCode = options.onCode;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return Promise.reject(new Error("no camera"));
    }
    return navigator.mediaDevices.getUserMedia({
      video: {facingMode: {ideal: "environment"}},
      audio: false
    }).then(function (stream) {
      video.setAttribute("playsinline", "");
      video.muted = true;
      video.srcObject = stream;
      var stopped = false;
      var last = null, lastSeen = 0;
      function stop() {
        stopped = true;
        stream.getTracks().forEach(function (track) { track.stop(); });
        video.srcObject = null;
      }
      return Promise.resolve(video.play()).then(makeDecoder).then(function (decode) {
        function tick() {
          if (stopped) return;
          decode(video).then(function (text) {
            var at = Date.now();
            if (text) {
              if (text !== last || at - lastSeen > REPEAT_MS) onCode(text);
              last = text;
              lastSeen = at;
            }
          }).catch(function () { /* a frame that does not decode: try the next one */ })
            .then(function () { if (!stopped) setTimeout(tick, FRAME_MS); });
        }
        tick();
        return stop;
      }, function (error) {
        stop();
        throw error;
      });
    });
  }

  window.BursaScan = {start: start};
})();
