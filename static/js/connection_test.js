// Follows a connection test live: queued, running, then its outcome and trace id.
(function () {
  "use strict";
  document.querySelectorAll(".connection-test[data-status-url]").forEach(function (box) {
    function poll() {
      fetch(box.getAttribute("data-status-url"), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          ["label", "message", "trace_id"].forEach(function (name) {
            var el = box.querySelector('[data-field="' + name + '"]');
            if (el) el.textContent = data[name] || (name === "trace_id" ? "—" : "");
          });
          var spinner = box.querySelector(".spinner-border");
          if (data.done) {
            if (spinner) spinner.remove();
            box.classList.add(data.state === "ok" ? "border-success" : "border-danger");
          } else {
            setTimeout(poll, 700);
          }
        })
        .catch(function () { setTimeout(poll, 2000); });
    }
    poll();
  });
})();
