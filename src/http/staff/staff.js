// Candor's staff pages: live countdowns to legal deadlines. Progressive enhancement only:
// every page is complete without this script.
(function () {
  "use strict";
  function text(ms) {
    var span = Math.abs(ms);
    var minutes = Math.floor(span / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    var out = days > 0 ? days + " d " + hours + " h"
      : hours > 0 ? hours + " h " + mins + " min"
      : mins + " min";
    return ms > 0 ? "in " + out : out + " overdue";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) { return; }
      el.textContent = text(due - now);
      el.classList.toggle("overdue", due <= now);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 30000);
  });
})();
