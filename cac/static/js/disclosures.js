/*
 * Phones get compact disclosures: the language menu and the search filters are rendered
 * open (<details open data-collapse-below="40rem">), so without this script everything
 * stays visible. Below the given width the script closes them, behind their button; at or
 * above it they stay open and CSS hides the button. Resizing across the width follows.
 */
(function () {
  "use strict";

  function follow(details) {
    var query = window.matchMedia("(min-width: " + details.getAttribute("data-collapse-below") + ")");
    function apply() {
      details.open = query.matches;
    }
    apply();
    if (query.addEventListener) {
      query.addEventListener("change", apply);
    }
  }

  if (!window.matchMedia) {
    return;
  }
  var all = document.querySelectorAll("details[data-collapse-below]");
  for (var i = 0; i < all.length; i++) {
    follow(all[i]);
  }
})();
