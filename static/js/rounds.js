// Round page: while the scheduler runs, poll its progress and reload when it finishes.
// Without JavaScript the page still works: the "reload" link shows the latest state.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url][data-busy]");
  if (!box) return;
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector("[data-solver-progress]");
  var label = box.querySelector("[data-solver-label]");
  var message = box.querySelector("[data-solver-message]");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        if (bar) { bar.value = data.progress; bar.textContent = data.progress + " %"; }
        if (label) label.textContent = data.label;
        if (message) message.textContent = data.message;
        if (data.busy) { window.setTimeout(poll, 1500); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
