// The checklist's file pickers (issue 13): type and size checked here before sending (the server
// checks again by content), drag and drop onto a row, the bytes' progress, then the upload's
// state polled until SFS has the file. Without this script the forms post normally.
(function () {
  "use strict";
  if (window.portalUploads) return; // the checklist may be rendered again: bind once
  window.portalUploads = true;

  var MAX_BYTES = 10 * 1024 * 1024;
  var TYPES = ["application/pdf", "image/png", "image/jpeg"];
  var EXTENSIONS = /\.(pdf|png|jpe?g)$/i;
  var POLL_MS = 2000;

  function problem(file) {
    if (!file) return "Choose a file to upload.";
    if (file.size === 0) return "The file is empty: choose the document itself.";
    if (file.size > MAX_BYTES) {
      return "The file is " + (file.size / 1048576).toFixed(1) + " MiB: SFS takes files up to 10 MiB.";
    }
    if (TYPES.indexOf(file.type) < 0 && !EXTENSIONS.test(file.name)) {
      return "Choose a PDF, PNG or JPEG file.";
    }
    return "";
  }

  function say(form, message) {
    var slot = form.querySelector("[data-upload-error]");
    if (slot) slot.textContent = message;
  }

  function status(form, message) {
    var zone = form.closest("[data-upload-zone]");
    var line = zone.querySelector("[data-upload-progress]");
    if (!line) {
      line = document.createElement("p");
      line.className = "small mb-0";
      line.setAttribute("role", "status");
      line.setAttribute("data-upload-progress", "");
      zone.appendChild(line);
    }
    line.textContent = message;
  }

  function poll(url, key, form) {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        var upload = (body.uploads || {})[key];
        if (!upload) return;
        status(form, upload.fileName + ": " + upload.words);
        if (upload.open) window.setTimeout(function () { poll(url, key, form); }, POLL_MS);
      })
      .catch(function () { window.setTimeout(function () { poll(url, key, form); }, POLL_MS * 3); });
  }

  function send(form, file) {
    var message = problem(file);
    say(form, message);
    if (message) return;
    var data = new FormData(form);
    data.set("file", file, file.name);
    var key = form.elements.id_type.value + "-" + form.elements.id_value.value;
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        status(form, "Uploading " + file.name + ": " + Math.round((100 * event.loaded) / event.total) + "%");
      }
    });
    request.addEventListener("load", function () {
      var body = {};
      try { body = JSON.parse(request.responseText); } catch (ignored) { body = {}; }
      if (request.status === 201 && body.upload) {
        form.hidden = true;
        status(form, body.upload.fileName + ": " + body.upload.words);
        poll(form.action, key, form);
      } else {
        status(form, "");
        say(form, body.error || "The file could not be uploaded. Please try again.");
      }
    });
    request.addEventListener("error", function () {
      status(form, "");
      say(form, "The upload was interrupted: check your connection and try again.");
    });
    status(form, "Uploading " + file.name + "…");
    request.send(data);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("[data-upload-form]");
    if (!form) return;
    event.preventDefault();
    send(form, form.elements.file.files[0]);
  });

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("[data-upload-form]");
    if (form && event.target.type === "file") say(form, problem(event.target.files[0]));
  });

  function zoneForm(event) {
    var row = event.target.closest && event.target.closest("tr[data-document]");
    return row ? row.querySelector("[data-upload-form]:not([hidden])") : null;
  }

  ["dragenter", "dragover"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var form = zoneForm(event);
      if (!form) return;
      event.preventDefault();
      form.closest("tr").classList.add("table-active");
    });
  });
  document.addEventListener("dragleave", function (event) {
    var row = event.target.closest && event.target.closest("tr[data-document]");
    if (row) row.classList.remove("table-active");
  });
  document.addEventListener("drop", function (event) {
    var form = zoneForm(event);
    if (!form) return;
    event.preventDefault();
    form.closest("tr").classList.remove("table-active");
    var files = event.dataTransfer && event.dataTransfer.files;
    if (files && files.length > 1) { say(form, "Drop one file for each document."); return; }
    send(form, files && files[0]);
  });

  // A file already on its way when the page opened: follow it.
  Array.prototype.forEach.call(document.querySelectorAll("[data-upload-zone]"), function (zone) {
    var state = zone.querySelector("[data-upload-state]");
    var open = state && ["QUEUED", "SENDING", "VERIFYING"].indexOf(state.getAttribute("data-upload-state")) >= 0;
    if (!open) return;
    poll(zone.getAttribute("data-upload-url"), zone.getAttribute("data-upload-zone"), state);
  });
})();
