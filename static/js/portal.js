// Relative times ("checked 20 s ago") that stay true while the page is open.
(function () {
  "use strict";
  function ago(seconds) {
    if (seconds < 5) return "just now";
    if (seconds < 60) return Math.floor(seconds) + " s ago";
    if (seconds < 3600) return Math.floor(seconds / 60) + " min ago";
    if (seconds < 86400) return Math.floor(seconds / 3600) + " h ago";
    return Math.floor(seconds / 86400) + " d ago";
  }
  function refreshTimes() {
    var now = Date.now();
    document.querySelectorAll("time[data-relative]").forEach(function (el) {
      var when = Date.parse(el.getAttribute("datetime"));
      if (!isNaN(when)) {
        var prefix = el.getAttribute("data-prefix") || "";
        el.textContent = prefix + ago(Math.max(0, (now - when) / 1000));
      }
    });
  }
  window.portalRefreshTimes = refreshTimes;
  document.addEventListener("DOMContentLoaded", refreshTimes);
  setInterval(refreshTimes, 1000);

  // Copy buttons: <button data-copy="text">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
      button.textContent = "Copied";
    });
  });
})();
