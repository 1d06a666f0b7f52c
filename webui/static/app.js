// pprnet-search: progressive enhancement. Every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  // "/" focuses the search box from anywhere, except while typing in a field.
  function setupSlashKey(input) {
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
      var target = event.target;
      var tag = target && target.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
      event.preventDefault();
      input.focus();
      input.select();
    });
  }

  // Autocomplete: an ARIA 1.2 combobox over /api/suggest.
  function setupAutocomplete(input) {
    var list = document.getElementById("suggestions");
    if (!list) return;
    var items = [];
    var active = -1;
    var timer = null;
    var lastQuery = null;
    var controller = null;

    function close() {
      lastQuery = null;
      list.hidden = true;
      list.textContent = "";
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.setAttribute("aria-activedescendant", "");
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.setAttribute("aria-activedescendant", "");
      }
    }

    function go(item) {
      if (item && item.url) window.location.assign(item.url);
    }

    function render(suggestions) {
      list.textContent = "";
      items = suggestions;
      active = -1;
      input.setAttribute("aria-activedescendant", "");
      if (!suggestions.length) {
        close();
        return;
      }
      suggestions.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = "suggestion-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var label = document.createElement("span");
        label.className = "label";
        label.textContent = item.label;
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = item.kind;
        li.appendChild(label);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(kind);
        li.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep focus in the input
          go(item);
        });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function fetchSuggestions() {
      var query = input.value.trim();
      if (query.length < 2) {
        lastQuery = null;
        close();
        return;
      }
      if (query === lastQuery) return;
      lastQuery = query;
      if (controller) controller.abort();
      controller = typeof AbortController === "function" ? new AbortController() : null;
      fetch("/api/suggest?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (data) {
          if (input.value.trim() === query && document.activeElement === input) render(data.suggestions || []);
        })
        .catch(function () { /* aborted or offline: keep what is shown */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 120);
    });

    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && items.length > 0;
      if (event.key === "ArrowDown") {
        if (!open) { lastQuery = null; fetchSuggestions(); return; }
        event.preventDefault();
        highlight(active < items.length - 1 ? active + 1 : 0);
      } else if (event.key === "ArrowUp") {
        if (!open) return;
        event.preventDefault();
        highlight(active > 0 ? active - 1 : items.length - 1);
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          go(items[active]);
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        }
      }
    });

    input.addEventListener("blur", function () {
      setTimeout(close, 150);
    });
  }

  // Sort: the Sort button applies the menu's choice. A choice made with a pointer (mouse, pen, finger)
  // in the open menu applies at once; the keyboard's arrows only move through the menu (WCAG 3.2.2).
  function setupSort() {
    var select = document.getElementById("sort");
    if (!select || !select.form) return;
    var byPointer = false;
    select.addEventListener("pointerdown", function () { byPointer = true; });
    select.addEventListener("keydown", function () { byPointer = false; });
    select.addEventListener("change", function () {
      if (byPointer) select.form.submit();
    });
  }

  // After a sort the page opens at #result-count: the focus goes to that heading, as after any change.
  function focusResultsHeading() {
    if (window.location.hash !== "#result-count") return;
    var heading = document.getElementById("result-count");
    if (heading) heading.focus();
  }

  // Facets behind a button on small screens.
  function setupFacetsToggle() {
    var button = document.getElementById("facets-toggle");
    var facets = document.getElementById("facets");
    if (!button || !facets) return;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      facets.classList.toggle("open", open);
      if (open) {
        var first = facets.querySelector("a.facet-value, summary");  // the first filter, not the oldest year
        if (first) first.focus();
      }
    });
  }

  // Facet toggles are links with aria-pressed: Space activates them like buttons.
  function setupFacetKeys() {
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key === " " && target && target.classList && target.classList.contains("facet-value")) {
        event.preventDefault();
        target.click();
      }
    });
  }

  // Copy the APA citation.
  function setupCopy() {
    document.querySelectorAll("button.copy[data-target], button.copy-summary[data-target]").forEach(function (button) {
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-target"));
        var status = button.parentNode.querySelector(".copy-status");
        if (!source) return;
        var text = source.textContent.replace(/\s+/g, " ").trim();
        function done(message) { if (status) status.textContent = message; }
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(text).then(
            function () { done("Copied to the clipboard."); },
            function () { selectText(source); done("Press Ctrl+C to copy."); }
          );
        } else {
          selectText(source);
          done("Press Ctrl+C to copy.");
        }
      });
    });
  }

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  // A facet toggle reloads the page with its own id as the fragment: put the focus back on it (inside
  // a closed "more" list too), so keyboard and screen-reader users stay where they were.
  function restoreFacetFocus() {
    var id = window.location.hash.slice(1);
    if (!/^f-[a-z]+-[0-9a-f]+$/.test(id)) return;
    var control = document.getElementById(id);
    if (!control || !control.classList.contains("facet-value")) return;
    var details = control.closest("details");
    if (details) details.open = true;
    var facets = document.getElementById("facets");
    var button = document.getElementById("facets-toggle");
    if (facets && button && button.offsetParent !== null && !facets.classList.contains("open")) button.click();
    control.focus();
  }

  ready(function () {
    var input = document.getElementById("q");
    if (input) {
      setupSlashKey(input);
      setupAutocomplete(input);
    }
    setupSort();
    setupFacetsToggle();
    setupFacetKeys();
    setupCopy();
    restoreFacetFocus();
    focusResultsHeading();
  });
})();
