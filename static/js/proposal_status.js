// A proposal's live state: polls proposal_status and updates the page in place (no reload).
// Fast while something is in flight (a send, a quote, a pre-check), slow otherwise.
(function () {
  "use strict";

  var STYLES = {
    DRAFT: "secondary", QUEUED: "info", SENDING: "info", VERIFYING: "warning", SENT: "success",
    FAILED: "danger", CONFLICT: "danger", GONE: "dark"
  };
  var STATE_WORDS = { done: "done", current: "in progress", failed: "failed", todo: "to do" };

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function text(selector, value, root) {
    var el = $(selector, root);
    if (el) el.textContent = value;
  }

  function badge(status, label) {
    var span = document.createElement("span");
    var style = STYLES[status] || "light text-dark border";
    span.className = "badge status-badge bg-" + style + (style === "info" || style === "warning" ? " text-dark" : "");
    span.textContent = label;
    return span;
  }

  function checked(iso) {
    var cell = $("[data-field-checked]");
    if (!cell) return;
    cell.textContent = "";
    if (!iso) { cell.textContent = "not yet"; return; }
    var time = document.createElement("time");
    time.setAttribute("data-relative", "");
    time.setAttribute("data-prefix", "checked ");
    time.setAttribute("datetime", iso);
    time.textContent = "checked just now";
    cell.appendChild(time);
    if (window.portalRefreshTimes) window.portalRefreshTimes();
  }

  function money(value) {
    var number = Number(value);
    if (value === null || value === undefined || isNaN(number)) return String(value);
    return number.toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function quote(state) {
    var box = $("[data-quote]");
    if (!box || !state || !state.state) return;
    box.textContent = "";
    var p = document.createElement("p");
    p.className = "mb-2";
    if (state.state === "ok" && state.result) {
      var r = state.result;
      p.textContent = "Instalment " + money(r.instalment) + " × " + r.number_of_payments +
        " payments; amount financed " + money(r.amount_financed) +
        (r.total_payable ? "; total payable " + money(r.total_payable) : "") + ".";
    } else if (state.state === "queued" || state.state === "running") {
      p.textContent = "Asking SFS…";
    } else if (state.state === "failed") {
      p.className = "mb-2 text-danger";
      p.textContent = state.message || "SFS could not give a quote.";
    }
    box.appendChild(p);
  }

  function precheck(state) {
    var box = $("[data-precheck]");
    if (!box || !state) return;
    box.textContent = "";
    if (state.state === "ok" && state.requestAllowed) {
      var ok = document.createElement("p");
      ok.className = "mb-0 text-success";
      ok.textContent = "SFS would take the decision request.";
      box.appendChild(ok);
    } else if (state.state === "ok") {
      var list = document.createElement("ul");
      list.className = "mb-0";
      (state.violations || []).forEach(function (v) {
        var item = document.createElement("li");
        item.textContent = v.userMessage || v.code;
        list.appendChild(item);
      });
      box.appendChild(list);
    } else {
      var p = document.createElement("p");
      p.className = "mb-0";
      p.textContent = state.state === "failed" ? (state.message || "The pre-check failed.") : "Asking SFS…";
      box.appendChild(p);
    }
  }

  function violations(items) {
    var box = $("[data-violations-box]");
    var list = $("[data-violations]");
    if (!box || !list) return;
    box.classList.toggle("d-none", !items.length);
    list.textContent = "";
    items.forEach(function (v) {
      var item = document.createElement("li");
      item.textContent = v.message + " ";
      var link = document.createElement("a");
      link.href = v.url;
      link.textContent = "Fix it";
      item.appendChild(link);
      list.appendChild(item);
    });
  }

  function stageBadge(stage) {
    var span = document.createElement("span");
    span.className = "badge stage-badge " + stage.tone;
    span.title = stage.help;
    span.setAttribute("data-stage", stage.value);
    span.textContent = stage.label;
    return span;
  }

  var lastSpoken = null;

  // One sentence for a screen reader when something a person cares about changed.
  function announceChange(data) {
    var box = $("[data-status-announce]");
    if (!box || !data.stage) return;
    var sentence = "Stage: " + data.stage.label + ". Decision: " + data.decision.label + ".";
    if (lastSpoken !== null && sentence !== lastSpoken) box.textContent = sentence;
    lastSpoken = sentence;
  }

  function apply(data) {
    announceChange(data);
    var stage = $("[data-field-stage]");
    if (stage && data.stage) { stage.textContent = ""; stage.appendChild(stageBadge(data.stage)); }
    var status = $("[data-field-status]");
    if (status) { status.textContent = ""; status.appendChild(badge(data.status, data.status_label)); }
    text("[data-field-workflow]", data.workflow_label || "—");
    text("[data-field-decision]", data.decision.label);
    checked(data.last_checked_at);
    (data.progress || []).forEach(function (step) {
      var li = $("[data-progress-step='" + step.key + "']");
      if (!li) return;
      li.className = step.state;
      text("[data-progress-state]", " (" + (STATE_WORDS[step.state] || step.state) + ")", li);
    });
    var decided = data.decision;
    var box = $("[data-decision-box]");
    if (box) {
      box.classList.toggle("d-none", !(decided.reason || decided.condition || decided.valid_until || decided.comment));
      text("[data-decision-label]", decided.label, box);
      ["decided_on", "valid_until", "reason", "condition", "comment"].forEach(function (key) {
        text("[data-decision='" + key + "']", decided[key] || "—", box);
      });
    }
    violations(data.violations || []);
    var error = $("[data-last-error]");
    if (error) {
      error.classList.toggle("d-none", !data.last_error);
      if (data.last_error) text("[data-last-error-text]", data.last_error.message + (data.last_error.code ? " (" + data.last_error.code + ")" : ""));
    }
    $all("[data-actions] [data-action]").forEach(function (el) {
      el.hidden = (data.actions || []).indexOf(el.getAttribute("data-action")) < 0;
    });
    quote(data.quote);
    precheck(data.precheck);
  }

  function start(root) {
    var url = root.getAttribute("data-status-url");
    var busyOnly = root.hasAttribute("data-quote-panel") && !$("[data-proposal-page]");
    function poll() {
      if (document.hidden) { setTimeout(poll, 5000); return; }
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) return;
          apply(data);
          if (busyOnly && !data.busy) return;
          // While SFS is deciding, look every 5 s: the refresh cycle learns of it within 10 s.
          var pending = data.decision_status === "PENDING";
          setTimeout(poll, data.busy ? 3000 : pending ? 5000 : 20000);
        })
        .catch(function () { setTimeout(poll, 20000); });
    }
    if (busyOnly && !$("[data-quote-waiting]", root)) return;
    setTimeout(poll, busyOnly ? 2000 : 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = $("[data-proposal-page]") || $("[data-quote-panel]");
    if (root && window.fetch) start(root);
  });
})();
