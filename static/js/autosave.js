/* Save-as-you-type for forms marked with data-autosave (checklist answers, agency notes).
 *
 * Progressive enhancement: every form works without JavaScript (POST, redirect back). With
 * JavaScript, changes are sent ~800 ms after the user stops typing, with the CSRF token and the
 * version the user last saw. The server answers {ok, version, progress} or 409 {conflict,
 * current, version}. On a conflict nothing of the user's text is touched: autosave pauses for
 * that form and the save button, pressed on purpose, keeps the user's version.
 */
(function () {
  "use strict";

  var DELAY = 800;
  var config = document.getElementById("autosave-config");
  var text = function (key, fallback) {
    return (config && config.dataset[key]) || fallback;
  };

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function clock() {
    var now = new Date();
    return pad(now.getHours()) + ":" + pad(now.getMinutes());
  }

  function versionInput(form) {
    return form.querySelector('input[type="hidden"][name$="version"]');
  }

  function updateProgress(progress) {
    if (!progress) return;
    var bar = document.getElementById("checklist-progress");
    var label = document.getElementById("checklist-progress-label");
    if (bar) {
      bar.max = progress.total;
      bar.value = progress.answered;
      bar.textContent = progress.label;
    }
    if (label) label.textContent = progress.label;
  }

  function setup(form) {
    var status = form.querySelector("[data-autosave-status]");
    var timer = null;
    var inFlight = false;
    var again = false;
    var conflictVersion = null;

    function show(message, kind) {
      if (!status) return;
      status.textContent = message;
      status.dataset.kind = kind || "";
    }

    function send() {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      show(text("saving", "Saving…"), "saving");
      var body = new FormData(form);
      var csrf = form.querySelector('input[name="csrfmiddlewaretoken"]');
      fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: {
          "Accept": "application/json",
          "X-Requested-With": "XMLHttpRequest",
          "X-CSRFToken": csrf ? csrf.value : "",
        },
      })
        .then(function (response) {
          return response
            .json()
            .catch(function () {
              return {};
            })
            .then(function (data) {
              return { status: response.status, data: data };
            });
        })
        .then(function (result) {
          var data = result.data || {};
          if (result.status === 200 && data.ok) {
            var input = versionInput(form);
            if (input && data.version !== undefined) input.value = data.version;
            conflictVersion = null;
            form.removeAttribute("data-conflict");
            show(text("saved", "Saved") + " " + clock(), "saved");
            updateProgress(data.progress);
          } else if (result.status === 409) {
            // keep the user's text; remember the server's version for a deliberate save
            conflictVersion = data.version;
            form.setAttribute("data-conflict", "true");
            show(
              text("conflict", "Not saved – conflict:") +
                " " +
                (data.conflict || "") +
                " " +
                text("resolve", ""),
              "conflict"
            );
          } else {
            var detail = data.error || "";
            if (data.errors) {
              detail = Object.keys(data.errors)
                .map(function (key) {
                  return data.errors[key]
                    .map(function (e) {
                      return e.message;
                    })
                    .join(" ");
                })
                .join(" ");
            }
            show(detail || text("failed", "Not saved."), "error");
          }
        })
        .catch(function () {
          show(text("failed", "Not saved."), "error");
        })
        .then(function () {
          inFlight = false;
          if (again) {
            again = false;
            schedule();
          }
        });
    }

    function schedule() {
      if (form.hasAttribute("data-conflict")) return; // wait for a deliberate save
      window.clearTimeout(timer);
      timer = window.setTimeout(send, DELAY);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      window.clearTimeout(timer);
      if (conflictVersion !== null && conflictVersion !== undefined) {
        // the user has seen the conflict message and chose to keep their version
        var input = versionInput(form);
        if (input) input.value = conflictVersion;
        conflictVersion = null;
        form.removeAttribute("data-conflict");
      }
      send();
    });
  }

  if (!window.fetch || !window.FormData) return; // old browsers: plain form posts
  var forms = document.querySelectorAll("form[data-autosave]");
  for (var i = 0; i < forms.length; i++) setup(forms[i]);
})();
