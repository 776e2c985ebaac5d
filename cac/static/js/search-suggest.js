/*
 * Autocomplete for the search box: the WAI-ARIA 1.2 combobox pattern with a listbox popup.
 *
 * The form works without this script; it only adds suggestions from
 * /api/v1/search/suggest as the visitor types. Strings and the API address come from the
 * template's data- attributes, so translations stay in Django. Suggestions are inserted
 * with textContent only.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 150;
  var MIN_CHARS = 2;

  function setUp(box) {
    var input = box.querySelector("[role='combobox']");
    var form = input && input.form;
    var list = input && document.getElementById(input.getAttribute("aria-controls"));
    var url = box.getAttribute("data-suggest-url");
    if (!input || !form || !list || !url || !window.fetch) {
      return;
    }
    var language = box.getAttribute("data-suggest-lang") || document.documentElement.lang || "";
    var timer = null;
    var controller = null;
    var active = -1;
    var lastAsked = null;

    function options() {
      return list.querySelectorAll("[role='option']");
    }

    function setActive(index) {
      var items = options();
      active = index;
      for (var i = 0; i < items.length; i++) {
        items[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function open() {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function choose(item) {
      input.value = item.textContent;
      close();
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    }

    function show(suggestions) {
      while (list.firstChild) {
        list.removeChild(list.firstChild);
      }
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (!suggestions.length) {
        close();
        return;
      }
      suggestions.forEach(function (text, index) {
        var item = document.createElement("li");
        item.id = list.id + "-" + index;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.className = "search-suggest__option";
        item.textContent = text;
        list.appendChild(item);
      });
      open();
    }

    function ask(prefix) {
      if (controller) {
        controller.abort(); // the answer to an older prefix must not overwrite a newer one
      }
      controller = window.AbortController ? new AbortController() : null;
      var address = url + "?q=" + encodeURIComponent(prefix) + "&lang=" + encodeURIComponent(language);
      fetch(address, {
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (data) {
          if (input.value.trim() === prefix) {
            show(Array.isArray(data.suggestions) ? data.suggestions.map(String) : []);
          }
        })
        .catch(function () {
          /* aborted or offline: the plain form still works */
        });
    }

    input.addEventListener("input", function () {
      var prefix = input.value.trim();
      window.clearTimeout(timer);
      if (prefix.length < MIN_CHARS) {
        lastAsked = null;
        if (controller) {
          controller.abort();
        }
        close();
        return;
      }
      timer = window.setTimeout(function () {
        if (prefix !== lastAsked) {
          lastAsked = prefix;
          ask(prefix);
        }
      }, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      if (event.isComposing) {
        return; // a Korean (IME) syllable is still being composed: Enter commits it
      }
      var items = options();
      if (event.key === "ArrowDown" || event.key === "Down") {
        if (!items.length) {
          return;
        }
        event.preventDefault();
        if (list.hidden) {
          open();
        }
        setActive(active + 1 < items.length ? active + 1 : 0);
      } else if (event.key === "ArrowUp" || event.key === "Up") {
        if (list.hidden || !items.length) {
          return;
        }
        event.preventDefault();
        setActive(active > 0 ? active - 1 : items.length - 1);
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0 && items[active]) {
          event.preventDefault();
          choose(items[active]);
        }
      } else if (event.key === "Escape" || event.key === "Esc") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        } else if (input.value) {
          input.value = "";
        }
      }
    });

    // mousedown, not click: a click would first blur the input and close the list.
    list.addEventListener("mousedown", function (event) {
      var item = event.target.closest ? event.target.closest("[role='option']") : null;
      if (item) {
        event.preventDefault();
        choose(item);
      }
    });

    input.addEventListener("blur", function () {
      close();
    });
  }

  var boxes = document.querySelectorAll("[data-suggest-url]");
  for (var i = 0; i < boxes.length; i++) {
    setUp(boxes[i]);
  }
})();
