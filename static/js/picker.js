/* Searchable pickers (apps/core/widgets.py PickerSelectMultiple): typing filters the checkboxes
   at once, so the 筛选 button that posts the page back is not needed. Options already ticked stay
   in view. ES5 only, for WeChat's older built-in browsers. */
(function () {
  "use strict";

  function labelOf(item) {
    return (item.textContent || "").replace(/^\s+|\s+$/g, "");
  }

  function setUp(picker) {
    var search = picker.querySelector("[data-picker-search]");
    var button = picker.querySelector("[data-picker-button]");
    var status = picker.querySelector("[data-picker-status]");
    var items = picker.querySelectorAll(".picker-options li");
    if (!search) return;
    if (button) button.hidden = true;

    function showChosen() {
      var names = [];
      for (var i = 0; i < items.length; i++) {
        if (items[i].querySelector("input").checked) names.push(labelOf(items[i]));
      }
      status.textContent = names.length ? status.getAttribute("data-some") + names.join("、") : status.getAttribute("data-none");
    }

    function filter() {
      var query = search.value.replace(/^\s+|\s+$/g, "").toLowerCase();
      for (var i = 0; i < items.length; i++) {
        var ticked = items[i].querySelector("input").checked;
        items[i].hidden = !(ticked || !query || labelOf(items[i]).toLowerCase().indexOf(query) !== -1);
      }
    }

    search.addEventListener("input", filter);
    search.addEventListener("keydown", function (event) {
      // Enter in the search box filters; it must not submit the whole form.
      if (event.key === "Enter" || event.keyCode === 13) { event.preventDefault(); filter(); }
    });
    picker.addEventListener("change", showChosen);
    filter();
    showChosen();
  }

  function setUpAll() {
    var pickers = document.querySelectorAll("[data-picker]");
    for (var i = 0; i < pickers.length; i++) setUp(pickers[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpAll); else setUpAll();
})();
