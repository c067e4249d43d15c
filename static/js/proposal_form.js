// The proposal's step forms: rows added and removed in place, the customer's kind, the office's
// sales contacts, the pricelist's limits, and an autosave after a few seconds without typing.
// Everything works without this file: plain submit buttons do the same through the server.
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  // The error summary gets the focus, so a screen reader hears what to fix first.
  function focusSummary() {
    var summary = $("[data-focus-on-load]");
    if (summary) summary.focus();
  }

  // -- rows (partners, assets, loans) ------------------------------------------------------------------
  function enableRemove(row) {
    var check = $("[data-remove-check]", row);
    var button = $("[data-remove-row]", row);
    if (!check || !button) return;
    check.hidden = true;
    button.hidden = false;
    button.addEventListener("click", function () {
      var box = $("input[type=checkbox]", check);
      if (box) box.checked = true;
      row.hidden = true;
      announce(button.textContent.replace("Remove this", "Removed the") + ". Save to keep it removed.");
      scheduleSave();
      var next = $("[data-add-row]");
      if (next) next.focus();
    });
  }

  function addRow(prefix) {
    var template = document.getElementById(prefix + "-empty");
    var list = $("[data-rows='" + prefix + "']");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    if (!template || !list || !total) return false;
    var index = parseInt(total.value, 10) || 0;
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.firstElementChild;
    list.appendChild(row);
    total.value = String(index + 1);
    enableRemove(row);
    var first = $("select, input:not([type=hidden]), textarea", row);
    if (first) first.focus();
    return true;
  }

  // -- the customer's kind ----------------------------------------------------------------------
  function showKind() {
    var chosen = $("input[name='customer_kind']:checked");
    if (!chosen) return;
    $all("[data-kind-section]").forEach(function (section) {
      section.hidden = section.getAttribute("data-kind-section") !== chosen.value;
    });
  }

  // -- the delivery address: typed in only when it is not the customer's --------------------------
  function showDelivery() {
    var chosen = $("input[name='delivery']:checked");
    var section = $("[data-delivery-section]");
    if (section) section.hidden = !chosen || chosen.value !== "other";
  }

  // -- the office's sales contacts --------------------------------------------------------------
  function filterContacts() {
    var office = $("[data-office-select]");
    var contacts = $("[data-contact-select]");
    if (!office || !contacts) return;
    var chosen = office.options[office.selectedIndex];
    $all("option", contacts).forEach(function (option) {
      var offices = option.getAttribute("data-offices");
      var hide = Boolean(office.value && offices && offices.split(" ").indexOf(office.value) < 0);
      option.hidden = hide;
      option.disabled = hide;
      if (hide && option.selected) contacts.value = "";
    });
    var rule = $("[data-contact-rule]");
    if (rule && chosen) {
      var country = chosen.getAttribute("data-country") || "";
      rule.hidden = !country;
      rule.textContent = country && country !== "GB"
        ? "This office is outside GB: choose a sales contact (SFS needs one to decide)."
        : "This office is in GB: the sales contact is optional.";
    }
  }

  // -- the pricelist's limits -------------------------------------------------------------------
  var PERIODS = { MONTHLY: "monthly", QUARTERLY: "quarterly", SEMI_ANNUALLY: "half-yearly", ANNUALLY: "yearly" };
  var MODES = { ADVANCE: "in advance", ARREARS: "in arrears" };

  function words(list, names) {
    return (list || "").split(" ").filter(Boolean).map(function (v) { return names[v] || v; }).join(", ");
  }

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el && text) el.textContent = text;
  }

  function showLimits() {
    var select = $("[data-pricelist-select]");
    if (!select) return;
    var option = select.options[select.selectedIndex];
    if (!option || !option.value) return;
    var term = option.getAttribute("data-term-rule") || "";
    var amount = option.getAttribute("data-amount-rule") || "";
    var down = option.getAttribute("data-down-max");
    var downText = down ? "Down payments may be at most " + down + "% of the assets total." : "";
    setText("pricelist-limits", "Limits of this pricelist: term " + term + " Amount financed " + amount + ". " + downText);
    setText("id_term_helptext", term.charAt(0).toUpperCase() + term.slice(1));
    setText("id_payment_period_helptext", "This pricelist allows " + words(option.getAttribute("data-periods"), PERIODS) + " payments; the term must be a whole number of periods.");
    setText("id_payment_mode_helptext", "This pricelist takes payments " + words(option.getAttribute("data-modes"), MODES) + ".");
    setText("id_residual_value_helptext", option.getAttribute("data-residual") === "yes"
      ? "Optional; below the amount financed." : "This pricelist takes no residual value.");
    setText("down-payment-rule", downText);
  }

  // -- autosave ---------------------------------------------------------------------------------
  var form = $("[data-step-form]");
  var timer = null;
  var submitting = false;
  var status = document.getElementById("autosave-status");

  function announce(text) {
    if (status) status.textContent = text;
  }

  function save() {
    if (!form || submitting || !window.fetch || !window.FormData) return;
    var data = new FormData(form);
    var token = $("input[name=csrfmiddlewaretoken]", form);
    fetch(form.getAttribute("data-autosave-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Autosave": "1", "X-CSRFToken": token ? token.value : "" }
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (answer) {
      if (answer.body.saved) {
        announce("Saved.");
        var clock = $("[data-last-saved] time");
        if (clock) {
          clock.setAttribute("datetime", new Date().toISOString());
          if (window.portalRefreshTimes) window.portalRefreshTimes();
        }
      } else if (answer.body.loggedOut) {
        announce(answer.body.message);
      } else {
        announce(answer.body.message || "Not saved: use the Save button.");
      }
    }).catch(function () {
      announce("Could not save automatically; use the Save button.");
    });
  }

  function scheduleSave() {
    if (!form) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 3000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusSummary();
    $all("[data-row]").forEach(enableRemove);
    $all("[data-add-row]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        if (addRow(button.getAttribute("data-add-row"))) event.preventDefault();
      });
    });
    $all("input[name='customer_kind']").forEach(function (radio) { radio.addEventListener("change", showKind); });
    showKind();
    $all("input[name='delivery']").forEach(function (radio) { radio.addEventListener("change", showDelivery); });
    showDelivery();
    var office = $("[data-office-select]");
    if (office) { office.addEventListener("change", filterContacts); filterContacts(); }
    var pricelist = $("[data-pricelist-select]");
    // Shown at start too: a pricelist chosen before this script ran (or kept in the draft)
    // gets its limits without waiting for another change.
    if (pricelist) { pricelist.addEventListener("change", showLimits); showLimits(); }
    if (form) {
      form.addEventListener("input", scheduleSave);
      form.addEventListener("change", scheduleSave);
      form.addEventListener("submit", function () { submitting = true; if (timer) clearTimeout(timer); });
    }
  });
})();
