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
// Live progress: while a mapping or a delivery runs, poll the incident's
// live.json every few seconds and update the progress bars and counts; when the work ends,
// fetch the room once and swap in the parts marked data-refresh (the impact table and chart,
// the campaigns with their pause, resume and release forms, and the failures); the forms come
// with this session's own token, as in any page load. Stops when nothing runs.
(function () {
  "use strict";
  var EVERY = 3000;
  function setCounts(counts, total) {
    Object.keys(counts).forEach(function (key) {
      document.querySelectorAll("[data-count=\"" + key + "\"]").forEach(function (el) {
        el.textContent = String(counts[key]);
      });
    });
    document.querySelectorAll("[data-count=\"total\"]").forEach(function (el) {
      el.textContent = String(total);
    });
  }
  function apply(data) {
    var m = data.mapping;
    var bar = document.getElementById("mapping-progress");
    if (m && bar) {
      bar.max = m.steps;
      bar.value = m.step;
      bar.textContent = m.step + " of " + m.steps;
      var label = document.getElementById("mapping-label");
      if (label) { label.textContent = m.label; }
    }
    var d = data.delivery;
    var sent = document.getElementById("delivery-progress");
    if (d && sent) {
      sent.max = Math.max(d.total, 1);
      sent.value = d.sent;
      sent.textContent = d.sent + " of " + d.total;
      setCounts(d.counts, d.total);
    }
  }
  function refresh() {
    fetch(window.location.pathname, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-refresh][id]").forEach(function (old) {
          var next = fresh.getElementById(old.id);
          if (next) { old.replaceWith(document.importNode(next, true)); }
        });
      })
      .catch(function () { /* the page stays as it is; a reload shows the news */ });
  }
  function poll(url) {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        var type = r.headers.get("content-type") || "";
        return r.ok && type.indexOf("application/json") === 0 ? r.json() : null;
      })
      .then(function (data) {
        if (!data) { return; }
        apply(data);
        if (data.running) {
          window.setTimeout(function () { poll(url); }, EVERY);
        } else {
          refresh();
        }
      })
      .catch(function () { /* stop polling; a reload starts again */ });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var live = document.querySelectorAll("[data-live]");
    var running = Array.prototype.some.call(live, function (el) {
      return el.getAttribute("data-running") === "true";
    });
    if (live.length > 0 && running) {
      window.setTimeout(function () { poll(live[0].getAttribute("data-live")); }, EVERY);
    }
  });
})();
// Inventory imports: while an import runs, poll its progress (/inventory/imports/{id}.json)
// and move its bar and text; when it ends, fetch the page once and swap in the parts marked
// data-import-refresh (the outcome, the list of recent imports). Without this script, the
// import's page has a link that refreshes it.
(function () {
  "use strict";
  var EVERY = 2000;
  function show(el, job) {
    el.querySelectorAll("[data-import-text]").forEach(function (t) {
      t.textContent = job.text;
    });
    el.querySelectorAll("progress").forEach(function (bar) {
      if (typeof job.percent === "number") {
        bar.max = 100;
        bar.value = job.percent;
      } else {
        bar.removeAttribute("value");
      }
      bar.textContent = job.text;
    });
  }
  function swap() {
    fetch(window.location.pathname, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-import-refresh][id]").forEach(function (old) {
          var next = fresh.getElementById(old.id);
          if (next) { old.replaceWith(document.importNode(next, true)); }
        });
        start();
      })
      .catch(function () { /* the page stays as it is; the refresh link shows the news */ });
  }
  function poll(el) {
    // A part swapped out since is followed by its replacement instead.
    if (!document.body.contains(el)) { return; }
    var url = el.getAttribute("data-import");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        var type = r.headers.get("content-type") || "";
        return r.ok && type.indexOf("application/json") === 0 ? r.json() : null;
      })
      .then(function (job) {
        if (!job) { return; }
        show(el, job);
        if (job.running) {
          window.setTimeout(function () { poll(el); }, EVERY);
        } else {
          swap();
        }
      })
      .catch(function () { /* stop following; the refresh link still works */ });
  }
  function start() {
    document.querySelectorAll("[data-import][data-running=\"true\"]").forEach(function (el) {
      if (el.getAttribute("data-polling") === "true") { return; }
      el.setAttribute("data-polling", "true");
      window.setTimeout(function () { poll(el); }, EVERY);
    });
  }
  document.addEventListener("DOMContentLoaded", start);
})();
