// The booth's camera button: shown only where the door's scanner (scan.js) is loaded and the
// browser has a camera. A scanned code fills the typed field and sends the form, the same path
// as typing it; without JavaScript the field and its button do the whole job.
(function () {
  "use strict";
  function ready() {
    var form = document.querySelector("form.record-candidate");
    if (!form) return;
    var button = form.querySelector("button.scan");
    var video = form.querySelector("video.scan-video");
    var field = form.querySelector("#check_in_code");
    if (!button || !video || !field) return;
    if (!window.BursaScan || !navigator.mediaDevices) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      video.hidden = false;
      button.disabled = true;
      var started = window.BursaScan.start({
        video: video,
        onCode: function (code) {
          field.value = code;
          form.submit();
        }
      });
      // No camera, or the person refused it: back to typing the code.
      Promise.resolve(started).catch(function () {
        video.hidden = true;
        button.hidden = true;
        field.focus();
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
