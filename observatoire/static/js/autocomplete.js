/* Territory autocomplete: turns the plain text input of TerritoryAutocompleteWidget into a
   WAI-ARIA combobox with a listbox popup (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/).
   Without this script the input still works: the server resolves what was typed.
   Keys: Down/Up move through the suggestions, Enter chooses, Escape closes (or clears), Tab leaves.
   A polite live region announces how many suggestions there are and what was chosen. */
(function () {
  "use strict";

  var DELAY = 200;
  var MIN_LENGTH = 2;
  var counter = 0;

  function enhance(root) {
    var input = root.querySelector("input");
    if (!input || root.getAttribute("data-enhanced")) {
      return;
    }
    root.setAttribute("data-enhanced", "true");
    counter += 1;
    if (!input.id) {
      input.id = "territory-autocomplete-" + counter;
    }
    var messages = root.dataset;
    var navigate = messages.navigate === "true";
    var lang = document.documentElement.lang || "fr";

    var listbox = document.createElement("ul");
    listbox.id = input.id + "-listbox";
    listbox.className = "territory-autocomplete__list";
    listbox.setAttribute("role", "listbox");
    listbox.hidden = true;
    var label = document.querySelector('label[for="' + input.id + '"]');
    if (label) {
      if (!label.id) {
        label.id = input.id + "-label";
      }
      listbox.setAttribute("aria-labelledby", label.id);
    }

    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.setAttribute("aria-atomic", "true");

    var key = null;
    if (!navigate) {
      key = document.createElement("input");
      key.type = "hidden";
      key.name = messages.keyName;
      root.appendChild(key);
    }

    var hint = document.getElementById(input.id + "-hint");
    if (hint && messages.msgInstructions) {
      hint.textContent = hint.textContent + " " + messages.msgInstructions;
    }

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    input.setAttribute("autocomplete", "off");
    root.appendChild(listbox);
    root.appendChild(status);

    var items = [];
    var active = -1;
    var timer = null;
    var controller = null;

    function announce(text) {
      // Emptied first so that the same message is read again.
      status.textContent = "";
      window.setTimeout(function () {
        status.textContent = text;
      }, 60);
    }

    function countMessage(n) {
      if (n === 0) {
        return messages.msgNone;
      }
      if (n === 1) {
        return messages.msgOne;
      }
      return messages.msgMany.replace("{n}", String(n));
    }

    function isOpen() {
      return !listbox.hidden;
    }

    function open() {
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function setActive(index) {
      var options = listbox.children;
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "false");
      }
      active = index;
      if (active < 0 || !options[active]) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      options[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[active].id);
      if (options[active].scrollIntoView) {
        options[active].scrollIntoView({ block: "nearest" });
      }
    }

    function describe(item) {
      var parts = [item.kind_label];
      if (item.department && item.kind !== "departement") {
        parts.push(item.department);
      }
      if (item.population !== null && item.population !== undefined) {
        parts.push(item.population.toLocaleString(lang) + "\u00a0" + messages.msgInhabitants);
      }
      return parts.join(" · ");
    }

    function render(results) {
      items = results;
      listbox.textContent = "";
      active = -1;
      results.forEach(function (item, index) {
        var option = document.createElement("li");
        option.id = listbox.id + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.className = "territory-autocomplete__option";
        var name = document.createElement("span");
        name.className = "territory-autocomplete__name";
        name.textContent = item.label;
        var details = document.createElement("span");
        details.className = "territory-autocomplete__details";
        details.textContent = describe(item);
        option.appendChild(name);
        option.appendChild(document.createTextNode(" "));
        option.appendChild(details);
        // mousedown would blur the input before the click lands.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
        });
        option.addEventListener("click", function () {
          choose(index);
        });
        listbox.appendChild(option);
      });
      if (results.length) {
        open();
      } else {
        close();
      }
      announce(countMessage(results.length));
    }

    function choose(index) {
      var item = items[index];
      if (!item) {
        return;
      }
      input.value = item.label;
      if (key) {
        key.value = item.key;
      }
      close();
      announce(messages.msgSelected.replace("{label}", item.label));
      if (navigate && item.url) {
        window.location.assign(item.url);
      }
    }

    function search() {
      var query = input.value.trim();
      if (controller) {
        controller.abort();
      }
      if (query.length < MIN_LENGTH) {
        items = [];
        listbox.textContent = "";
        close();
        return;
      }
      controller = window.AbortController ? new AbortController() : null;
      var url = messages.url + "?q=" + encodeURIComponent(query);
      if (messages.kinds) {
        url += "&kind=" + encodeURIComponent(messages.kinds);
      }
      window
        .fetch(url, {
          headers: { Accept: "application/json" },
          signal: controller ? controller.signal : undefined,
        })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (results) {
          if (input.value.trim() === query) {
            render(results);
          }
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") {
            return;
          }
          close();
          announce(messages.msgError);
        });
    }

    input.addEventListener("input", function () {
      if (key) {
        key.value = "";
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(search, DELAY);
    });

    input.addEventListener("keydown", function (event) {
      var count = listbox.children.length;
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (!count) {
            window.clearTimeout(timer);
            search();
            return;
          }
          if (!isOpen()) {
            open();
          }
          setActive(active + 1 >= count ? 0 : active + 1);
          break;
        case "ArrowUp":
          event.preventDefault();
          if (!count) {
            return;
          }
          if (!isOpen()) {
            open();
          }
          setActive(active <= 0 ? count - 1 : active - 1);
          break;
        case "Enter":
          if (isOpen() && active >= 0) {
            event.preventDefault();
            choose(active);
          }
          break;
        case "Escape":
          if (isOpen()) {
            event.preventDefault();
            close();
          } else if (input.value) {
            event.preventDefault();
            input.value = "";
            if (key) {
              key.value = "";
            }
          }
          break;
        case "Tab":
          close();
          break;
        default:
          break;
      }
    });

    input.addEventListener("blur", function () {
      close();
    });
  }

  function init() {
    var roots = document.querySelectorAll("[data-territory-autocomplete]");
    Array.prototype.forEach.call(roots, enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
