// Keeps "A worker checked in ... ago" current without reloading the page.
(function () {
  "use strict";
  var box = document.getElementById("worker-last-seen");
  if (!box) return;
  function poll() {
    fetch(box.getAttribute("data-status-url"), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || !data.last_seen) return;
        var t = box.querySelector("time");
        if (!t) {
          box.textContent = "";
          t = document.createElement("time");
          t.setAttribute("data-relative", "");
          t.setAttribute("data-prefix", "A worker checked in ");
          box.appendChild(t);
        }
        t.setAttribute("datetime", data.last_seen);
        window.portalRefreshTimes();
      })
      .catch(function () {});
  }
  setInterval(poll, 3000);
})();
