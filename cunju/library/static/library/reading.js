// Reading time: while the document's page is visible, count the seconds and the furthest
// page reached, and report them about every 30 s and when the page is left (pagehide). The
// server keeps them on this opening's reading only, and never more than the clock allows.
(function () {
  "use strict";
  var doc = document.querySelector("[data-reading]");
  if (!doc) return;
  var url = doc.dataset.readUrl;
  var reading = doc.dataset.reading;
  var csrf = doc.dataset.csrf;
  var INTERVAL = 30000;
  var seconds = 0;
  var furthest = 1;
  var sent = -1;
  var visible = !document.hidden;
  var since = Date.now();

  function count() {
    var now = Date.now();
    if (visible) seconds += (now - since) / 1000;
    since = now;
  }

  function report(force) {
    count();
    var whole = Math.floor(seconds);
    if (!force && whole === sent) return;
    sent = whole;
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrf);
    data.append("reading", reading);
    data.append("seconds", whole);
    data.append("page", furthest);
    if (navigator.sendBeacon && navigator.sendBeacon(url, data)) return;
    if (window.fetch) {
      fetch(url, { method: "POST", body: data, credentials: "same-origin", keepalive: true });
    }
  }

  if ("IntersectionObserver" in window) {
    var seen = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        var page = parseInt(entry.target.dataset.page, 10);
        if (entry.isIntersecting && page > furthest) furthest = page;
      });
    }, { threshold: 0.25 });
    doc.querySelectorAll("[data-page]").forEach(function (el) { seen.observe(el); });
  }

  document.addEventListener("visibilitychange", function () {
    count();
    visible = !document.hidden;
    if (!visible) report(false);
  });
  window.addEventListener("pagehide", function () { report(true); });
  setInterval(function () { if (visible) report(false); }, INTERVAL);
})();
