// The organization picker: a combobox that lists the organizations matching what is typed
// (by name or pinyin) and keeps the chosen one's id in a hidden input. Up and down move
// through the list, Enter chooses, Escape closes it. Without JavaScript the typed name is
// sent and resolved on the server, so this only makes choosing quicker.
(function () {
  // The widget may appear several times on a page, each with this script.
  if (window.cunjuOrganizationPicker) return;
  window.cunjuOrganizationPicker = true;

  var DELAY = 250;

  function parts(node) {
    var box = node && node.closest ? node.closest("[data-org-picker]") : null;
    if (!box) return null;
    return {
      box: box,
      // One choice: its id in a hidden input. Several: a chip (with its own hidden input)
      // each, and no single value.
      multiple: box.hasAttribute("data-org-picker-multiple"),
      chips: box.querySelector("[data-org-picker-chips]"),
      value: box.querySelector("[data-org-picker-value]"),
      query: box.querySelector("[data-org-picker-query]"),
      list: box.querySelector("[role=listbox]"),
      note: box.querySelector("[data-org-picker-note]"),
    };
  }

  function options(p) {
    return Array.prototype.slice.call(p.list.querySelectorAll("[role=option]"));
  }

  function isOpen(p) {
    return p.query.getAttribute("aria-expanded") === "true";
  }

  function setOpen(p, open) {
    open = open && options(p).length > 0;
    p.list.hidden = !open;
    p.query.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) highlight(p, -1);
  }

  function highlighted(p) {
    return options(p).findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
  }

  function highlight(p, index) {
    var all = options(p);
    all.forEach(function (o, i) { o.setAttribute("aria-selected", i === index ? "true" : "false"); });
    if (index < 0 || !all[index]) {
      p.query.removeAttribute("aria-activedescendant");
      return;
    }
    p.query.setAttribute("aria-activedescendant", all[index].id);
    all[index].scrollIntoView({ block: "nearest" });
  }

  function say(p, text) {
    p.note.textContent = text || "";
  }

  function changed(p) {
    // A hidden input fires no change of its own; forms that refresh on change (the list
    // filters) listen for this one.
    (p.value || p.box).dispatchEvent(new Event("change", { bubbles: true }));
  }

  function addChip(p, option) {
    var chosen = p.chips.querySelectorAll("input[type=hidden]");
    for (var i = 0; i < chosen.length; i++) {
      if (chosen[i].value === option.dataset.pk) return; // chosen already
    }
    var chip = document.createElement("span");
    chip.className = "org-picker-chip";
    var value = document.createElement("input");
    value.type = "hidden";
    value.name = p.box.dataset.name;
    value.value = option.dataset.pk;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.setAttribute("data-org-picker-remove", "");
    remove.setAttribute("aria-label", p.box.dataset.remove + " " + option.dataset.label);
    remove.textContent = "×";
    chip.appendChild(value);
    chip.appendChild(document.createTextNode(option.dataset.label + " "));
    chip.appendChild(remove);
    p.chips.appendChild(chip);
  }

  function choose(p, option) {
    if (p.multiple) {
      addChip(p, option);
      p.query.value = "";
      setOpen(p, false);
      p.list.innerHTML = "";
      say(p, "");
      changed(p);
      return;
    }
    p.value.value = option.dataset.pk;
    p.query.value = option.dataset.label;
    setOpen(p, false);
    p.list.innerHTML = "";
    say(p, "");
    changed(p);
  }

  function show(p, data, text) {
    p.list.innerHTML = "";
    data.results.forEach(function (r, i) {
      // Spans, not list items: the picker may sit inside a <label>.
      var option = document.createElement("span");
      option.id = p.list.id + "-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.pk = r.pk;
      option.dataset.label = r.label;
      option.textContent = r.label;
      p.list.appendChild(option);
    });
    if (!data.results.length) say(p, (p.box.dataset.none || "").replace("%(text)s", text));
    else say(p, data.more ? p.box.dataset.more : "");
    setOpen(p, document.activeElement === p.query);
  }

  var timers = new WeakMap();
  var requests = new WeakMap();

  function search(p) {
    clearTimeout(timers.get(p.box));
    if (requests.get(p.box)) requests.get(p.box).abort();
    var text = p.query.value.trim();
    if (!text) {
      p.list.innerHTML = "";
      setOpen(p, false);
      say(p, "");
      return;
    }
    var url = new URL(p.box.dataset.url, window.location.href);
    url.searchParams.set("q", text);
    var request = new AbortController();
    requests.set(p.box, request);
    fetch(url, { headers: { Accept: "application/json" }, signal: request.signal })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        if (p.query.value.trim() === text) show(p, data, text);
      })
      .catch(function () { /* superseded, or signed out: the server still resolves the text */ });
  }

  document.addEventListener("input", function (event) {
    if (!event.target.matches("[data-org-picker-query]")) return;
    var p = parts(event.target);
    if (!p.multiple) {
      var had = p.value.value;
      // Typing again drops the choice made before: what is typed now counts.
      p.value.value = "";
      if (had && !p.query.value.trim()) changed(p);
    }
    clearTimeout(timers.get(p.box));
    timers.set(p.box, setTimeout(function () { search(p); }, DELAY));
  });

  // Half-typed text is not a choice: keep its change event from forms that act on change.
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-org-picker-query]")) {
      event.stopPropagation();
    }
  }, true);

  document.addEventListener("keydown", function (event) {
    if (!event.target.matches || !event.target.matches("[data-org-picker-query]")) return;
    var p = parts(event.target);
    var count = options(p).length;
    var at = highlighted(p);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!count) {
        search(p);
        return;
      }
      if (!isOpen(p)) {
        setOpen(p, true);
        if (event.altKey) return; // Alt+Down only opens the list
      }
      var down = event.key === "ArrowDown";
      var next = at < 0 ? (down ? 0 : count - 1) : (at + (down ? 1 : -1) + count) % count;
      highlight(p, next);
    } else if (event.key === "Enter") {
      if (isOpen(p) && at >= 0) {
        event.preventDefault();
        choose(p, options(p)[at]);
      }
      // Otherwise the form is sent and the server resolves what was typed.
    } else if (event.key === "Escape") {
      if (isOpen(p)) {
        event.preventDefault();
        setOpen(p, false);
      }
    }
  });

  // Keep the focus in the box while an option is pressed, so the list stays for the click.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest("[data-org-picker] [role=option]")) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    var remove = event.target.closest && event.target.closest("[data-org-picker-remove]");
    if (remove) {
      var owner = parts(remove);
      remove.closest(".org-picker-chip").remove();
      owner.query.focus();
      changed(owner);
      return;
    }
    var option = event.target.closest && event.target.closest("[data-org-picker] [role=option]");
    if (!option) return;
    event.preventDefault();
    var p = parts(option);
    choose(p, option);
    p.query.focus();
  });

  document.addEventListener("focusout", function (event) {
    if (!event.target.matches || !event.target.matches("[data-org-picker-query]")) return;
    setOpen(parts(event.target), false);
  });

  document.addEventListener("focusin", function (event) {
    if (!event.target.matches || !event.target.matches("[data-org-picker-query]")) return;
    var p = parts(event.target);
    var chosen = !p.multiple && p.value.value;
    if (!chosen && p.query.value.trim() && options(p).length) setOpen(p, true);
  });
})();
