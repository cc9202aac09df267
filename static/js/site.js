/* Every public and portal page. Loaded in <head> so the "js" class is set before the first paint.
   The menu is a <details> that works with no script; here it stays open on wide screens (where
   its button is hidden) and closes with Escape or a tap elsewhere on phones. ES5 only: WeChat's
   older built-in browsers run it too. */
(function () {
  "use strict";
  document.documentElement.className += " js";
  var WIDE = "(min-width: 900px)";

  function setUp() {
    var menu = document.getElementById("site-menu");
    if (!menu) return;
    var wide = window.matchMedia ? window.matchMedia(WIDE) : null;
    var isWide = function () { return wide !== null && wide.matches; };
    var sync = function () { if (isWide()) menu.setAttribute("open", ""); else menu.removeAttribute("open"); };
    sync();
    if (wide !== null) {
      if (wide.addEventListener) wide.addEventListener("change", sync); else wide.addListener(sync);
    }
    document.addEventListener("keydown", function (event) {
      if ((event.key === "Escape" || event.key === "Esc") && menu.hasAttribute("open") && !isWide()) {
        menu.removeAttribute("open");
        menu.querySelector("summary").focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (!isWide() && menu.hasAttribute("open") && !menu.contains(event.target)) menu.removeAttribute("open");
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp); else setUp();
})();
