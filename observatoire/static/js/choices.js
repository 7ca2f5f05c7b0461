/* Cascading choices (XLSForm choice_filter) updated in place.

   Without JavaScript the page has an "Actualiser les choix" button: it saves the page and
   shows it again, with the choices the server computed from the answers. This script does
   the same when an answer changes: it posts the page as that button would, reads the page
   the server sends back, and replaces the filtered questions and the hidden fields (version,
   base) with the new ones. Any failure leaves the page as it was, button included. */
(function () {
  "use strict";
  var form = document.querySelector("form.survey-form");
  if (!form || !window.fetch || !window.DOMParser || !form.querySelector("[data-refresh-choices]")) {
    return;
  }
  var busy = false;

  function filteredQuestions(root) {
    var found = [];
    root.querySelectorAll("[data-refresh-choices]").forEach(function (button) {
      var question = button.closest(".survey-question");
      if (question && found.indexOf(question) < 0) found.push(question);
    });
    return found;
  }

  function hideButtons(root) {
    // The paragraph holding the button: the stylesheet gives buttons a display of their own.
    root.querySelectorAll("[data-refresh-choices]").forEach(function (button) {
      (button.closest("p") || button).hidden = true;
    });
  }

  function refresh(event) {
    var changed = event.target;
    if (busy || !changed.name || changed.type === "file") return;
    // Only answers that a filtered question may depend on: not the filtered question's own.
    var own = changed.closest(".survey-question");
    if (own && own.querySelector("[data-refresh-choices]") && own.contains(changed)) {
      var dependants = filteredQuestions(form).filter(function (q) { return q !== own; });
      if (!dependants.length) return;
    }
    busy = true;
    var data = new FormData(form);
    data.set("action", "stay");
    // getAttribute: `form.action` is the buttons named "action", not the URL.
    fetch(form.getAttribute("action") || window.location.href, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector("form.survey-form");
        if (!fresh) return;
        ["version", "base", "_shown"].forEach(function (name) {
          var mine = form.querySelector('input[name="' + name + '"]');
          var theirs = fresh.querySelector('input[name="' + name + '"]');
          if (mine && theirs) mine.value = theirs.value;
        });
        filteredQuestions(form).forEach(function (question) {
          var id = question.querySelector("[id]") && question.querySelector("[id]").id;
          var target = id && page.getElementById(id);
          var replacement = target && target.closest(".survey-question");
          if (replacement && question !== own) {
            question.replaceWith(document.importNode(replacement, true));
          }
        });
        hideButtons(form);
        var status = document.getElementById("choices-status");
        if (status) status.textContent = status.getAttribute("data-done");
      })
      .catch(function (error) { if (window.console) console.warn("choices.js:", error); })
      .then(function () { busy = false; });
  }

  hideButtons(form);
  form.addEventListener("change", refresh);
})();
