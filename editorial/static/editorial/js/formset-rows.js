/*
 * "Add another quote" / "Add another city" in the rapporteur's summary form: copies the
 * formset's empty row (<template data-formset-empty-row="PREFIX">) into its list, numbers it,
 * raises PREFIX-TOTAL_FORMS so the server reads it, and moves focus to its first field.
 * Without this script the buttons stay hidden and the form's empty rows (and saving for
 * more) still work. The server enforces the cap (MAX_NUM_FORMS); here the button just stops.
 */
(function () {
  "use strict";

  function setUp(button) {
    var prefix = button.getAttribute("data-formset-add");
    var template = document.querySelector('template[data-formset-empty-row="' + prefix + '"]');
    var rows = document.querySelector('[data-formset-rows="' + prefix + '"]');
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (!template || !rows || !total) {
      return;
    }
    var limit = max ? parseInt(max.value, 10) : Infinity;

    function refresh() {
      button.disabled = parseInt(total.value, 10) >= limit;
    }

    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (index >= limit) {
        return;
      }
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      refresh();
      var first = row.querySelector("input, textarea, select");
      if (first) {
        first.focus();
      }
    });
    button.hidden = false;
    refresh();
  }

  var buttons = document.querySelectorAll("button[data-formset-add]");
  for (var i = 0; i < buttons.length; i++) {
    setUp(buttons[i]);
  }
  var helps = document.querySelectorAll("[data-formset-no-script-help]");
  for (var j = 0; j < helps.length; j++) {
    helps[j].hidden = true;
  }
})();
