// pprnet-search: the reading list. Keeps the results a reader ticks across pages and visits
// (localStorage, at most the form's data-max) and sends them all when the selection form (a POST to
// /export.*) is submitted.
// Without this file the same checkboxes still export the ticks of the current page.
(function () {
  "use strict";
  var KEY = "pprnet-selection";
  var MAX = 500;  // the most one export holds: replaced by the form's data-max (webui.state.MAX_EXPORT)

  function load() {
    try {
      var ids = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(ids) ? ids.filter(function (id) { return typeof id === "string"; }).slice(0, MAX) : [];
    } catch (error) {
      return [];
    }
  }

  function save(ids) {
    try { window.localStorage.setItem(KEY, JSON.stringify(ids.slice(0, MAX))); } catch (error) { /* private mode: this page only */ }
  }

  function setup() {
    var form = document.getElementById("selection");
    if (!form) return;
    MAX = parseInt(form.getAttribute("data-max"), 10) || MAX;
    var boxes = Array.prototype.slice.call(document.querySelectorAll('input[type=checkbox][name=id][form=selection]'));
    var count = form.querySelector(".selection-count");
    var clear = form.querySelector(".selection-clear");
    var ids = load();

    function show() {
      count.textContent = ids.length ? ids.length + (ids.length === 1 ? " summary selected." : " summaries selected.") : "";
      clear.hidden = !ids.length;
    }

    boxes.forEach(function (box) {
      box.checked = ids.indexOf(box.value) !== -1;
      box.addEventListener("change", function () {
        ids = load().filter(function (id) { return id !== box.value; });
        if (box.checked && ids.length >= MAX) {  // full: say so rather than drop a tick
          box.checked = false;
          count.textContent = ids.length + " summaries selected, the most one export holds (at most " + MAX +
            " summaries): export them, then clear the selection.";
          return;
        }
        if (box.checked) ids.push(box.value);
        save(ids);
        show();
      });
    });

    clear.addEventListener("click", function () {
      ids = [];
      save(ids);
      boxes.forEach(function (box) { box.checked = false; });
      show();
    });

    form.addEventListener("submit", function (event) {
      ids = load();
      if (!ids.length) {
        event.preventDefault();
        count.textContent = "Select at least one summary first.";
        return;
      }
      form.querySelectorAll("input.kept").forEach(function (input) { input.remove(); });
      ids.forEach(function (id) {
        var onPage = boxes.some(function (box) { return box.value === id && box.checked; });
        if (onPage) return;
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = "id";
        input.value = id;
        input.className = "kept";
        form.appendChild(input);
      });
    });
    show();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
