/* Caseworker Procedures: the site's own search component (issue 19).
 *
 * One component, built into every element marked data-kb-search: the box in each page's
 * header ("header", moved into the theme's header bar when there is one) and the "Check
 * before you raise an SR" page's box ("page"). It needs no theme markup and no inline
 * script (the pages carry a Content-Security-Policy).
 *
 * Two backends, one rendering: the search service when <meta name="kb-api">'s
 * /api/health answers 200 (served pages only), else the edition's own index searched in the
 * browser by assets/kb/search-engine.js (window.kbSearchEngine, loaded on first use, so a
 * page that nobody searches from pays nothing). When neither answers, it says so.
 *
 * Keyboard: "/" jumps to the header box (not while typing elsewhere); results appear as
 * you type (2 characters or more, after a short pause); Down and Up move through them,
 * Enter opens one, Escape closes them. The count, and "Showing results for" when the
 * words were corrected, are announced in a polite live region.
 */
(function () {
  "use strict";

  var MIN_CHARACTERS = 2;
  var PAUSE_MS = 150; // after the last keystroke: a query per word typed, not per letter
  var LIMIT = 10;
  var ENGINE_FILE = "assets/kb/search-engine.js";
  var REFUSED = /^(the query |limit )/;
  var ICON_PATH =
    "M9.5 3A6.5 6.5 0 0 1 16 9.5c0 1.61-.59 3.09-1.56 4.23l.27.27h.79l5 5-1.5 1.5-5-5v-.79l-.27-.27A6.52 6.52 0 0 1 9.5 16 " +
    "6.5 6.5 0 0 1 3 9.5 6.5 6.5 0 0 1 9.5 3m0 2C7 5 5 7 5 9.5S7 14 9.5 14 14 12 14 9.5 12 5 9.5 5Z";

  function meta(name) {
    var element = document.querySelector('meta[name="' + name + '"]');
    return element ? element.getAttribute("content") || "" : "";
  }

  var root = meta("kb-root") || "./"; // this edition's root, from this page; ends with "/"
  if (root.charAt(root.length - 1) !== "/") root += "/";
  var edition = meta("kb-edition") || "gb";
  var srRoute = meta("kb-sr-route"); // the page on raising an SR, from this page (layout.py)

  // --- backends ------------------------------------------------------------------------

  /* The service's /api/ address: site.yml's search_api, else /api/ beside the editions on
     the server these pages came from. None from files. */
  function apiBase() {
    if (!/^https?:$/.test(window.location.protocol) || !window.fetch) return null;
    var configured = meta("kb-api");
    if (configured) return configured.replace(/\/+$/, "") + "/api/";
    return new URL(root + "../api/", window.location.href).href;
  }

  var chosen = null; // Promise of the backend, decided at the first search

  function backend() {
    if (!chosen) chosen = serviceIfHealthy().then(function (service) { return service || engineBackend(); });
    return chosen;
  }

  function serviceIfHealthy() {
    var api = apiBase();
    if (!api) return Promise.resolve(null);
    return fetch(api + "health", { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) { return response.status === 200 ? serviceBackend(api) : null; })
      .catch(function () { return null; });
  }

  function serviceBackend(api) {
    return {
      name: "service",
      api: api,
      search: function (query) {
        var url = api + "search?" + new URLSearchParams({ q: query, edition: edition, limit: String(LIMIT) });
        return fetch(url, { headers: { Accept: "application/json" } }).then(function (response) {
          var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
          if (!json) throw new Error("the search service did not answer");
          return response.json().then(function (body) {
            if (response.status === 400 && body && body.error) throw refusal(body.error);
            if (!response.ok) throw new Error("the search service answered " + response.status);
            var answer = asResponse(query, body);
            answer.searchId = response.headers.get("X-Search-Id");
            return answer;
          });
        });
      }
    };
  }

  /* The service answers a list of results today; the engine the whole response. */
  function asResponse(query, body) {
    if (Array.isArray(body)) {
      return { query: query, searched_for: body.length ? body[0].searched_for : query, results: body };
    }
    return { query: body.query || query, searched_for: body.searched_for || query, results: body.results || [] };
  }

  function refusal(message) {
    var error = new Error(message);
    error.refused = true;
    return error;
  }

  var engineLoading = null;

  function loadEngine() {
    if (window.kbSearchEngine) return Promise.resolve(window.kbSearchEngine);
    if (!engineLoading) {
      engineLoading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = root + ENGINE_FILE;
        script.addEventListener("load", function () {
          if (window.kbSearchEngine) resolve(window.kbSearchEngine);
          else reject(new Error("the search engine did not start"));
        });
        script.addEventListener("error", function () { reject(new Error("the search engine is missing")); });
        document.head.appendChild(script);
      });
    }
    return engineLoading;
  }

  function engineBackend() {
    return {
      name: "engine",
      search: function (query) {
        return loadEngine().then(function (engine) {
          return engine.search(root, query, LIMIT).catch(function (error) {
            // The engine refuses what the service refuses, in the service's words (query.py's
            // request_errors); anything else is an index it could not load.
            throw REFUSED.test(error && error.message) ? refusal(error.message) : error;
          });
        }).then(function (body) { return asResponse(query, body); });
      }
    };
  }

  function warm() {
    backend().then(function (chosenBackend) {
      if (chosenBackend.name === "engine") return loadEngine().then(function (engine) { return engine.warm(root); });
      return null;
    }).catch(function () { return null; });
  }

  /* Any failure of the service (not a refused question) hands this and later searches to
     the edition's own index. */
  function search(query) {
    return backend().then(function (chosenBackend) {
      return chosenBackend.search(query).then(function (answer) {
        answer.backend = chosenBackend;
        return answer;
      }, function (error) {
        if (error.refused || chosenBackend.name !== "service") throw error;
        chosen = Promise.resolve(engineBackend());
        return search(query);
      });
    });
  }

  // --- what a result links to ------------------------------------------------------------

  /* The service's URLs start at the site root ("/gb/<section>/<id>/#anchor"), the engine's
     at the edition root ("<section>/<id>/#anchor"). Either way, a link from this page that
     names index.html, so it opens from files and from any static host too. */
  function resultHref(url) {
    if (typeof url !== "string") return null;
    if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return /^https?:/i.test(url) ? url : null;
    var hash = "";
    var at = url.indexOf("#");
    if (at >= 0) {
      hash = url.slice(at);
      url = url.slice(0, at);
    }
    var editionPrefix = "/" + edition + "/";
    url = url.indexOf(editionPrefix) === 0 ? url.slice(editionPrefix.length) : url.replace(/^\/+/, "");
    if (url === "" || url.charAt(url.length - 1) === "/") url += "index.html";
    return root + url + hash;
  }

  /* A snippet is HTML with the text escaped and matches in <mark>: rebuilt node by node so
     nothing but text and <mark> can ever reach the page. */
  function snippetNodes(html) {
    var parsed = document.createElement("template");
    parsed.innerHTML = html || "";
    var out = document.createDocumentFragment();
    parsed.content.childNodes.forEach(function (node) {
      if (node.nodeType === 1 && node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function quoted(text) {
    return "\u201c" + text + "\u201d";
  }

  function plural(count, one, many) {
    return count + " " + (count === 1 ? one : many);
  }

  function sameWords(a, b) {
    var tidy = function (text) { return String(text || "").trim().replace(/\s+/g, " ").toLowerCase(); };
    return tidy(a) === tidy(b);
  }

  // --- the component ---------------------------------------------------------------------

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) made.className = className;
    if (text) made.textContent = text;
    return made;
  }

  function icon() {
    var svgNs = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(svgNs, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(svgNs, "path");
    path.setAttribute("d", ICON_PATH);
    svg.appendChild(path);
    return svg;
  }

  function SearchBox(host) {
    var variant = host.getAttribute("data-kb-search") || "page";
    var id = "kb-search-" + variant;
    this.host = host;
    this.variant = variant;
    this.ticket = 0;
    this.timer = null;
    this.shownQuery = null;
    this.searchId = null;
    this.backend = null;

    var form = element("form", "kb-search__form");
    form.setAttribute("role", "search");
    form.setAttribute("aria-label", variant === "header" ? "Site" : "Procedures");
    var label = element("label", "kb-search__label", host.getAttribute("data-label") || "Search the procedures");
    label.htmlFor = id + "-q";
    var row = element("div", "kb-search__row");
    var input = element("input", "kb-search__input");
    input.type = "search";
    input.id = id + "-q";
    input.name = "q";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.maxLength = 200;
    input.setAttribute("aria-controls", id + "-results");
    input.setAttribute("aria-describedby", id + "-hint");
    if (variant === "header") input.placeholder = "Search";
    var button = element("button", "kb-search__button");
    button.type = "submit";
    if (variant === "header") {
      button.appendChild(icon());
      button.setAttribute("aria-label", "Search");
    } else {
      button.textContent = "Search the procedures";
    }
    var hint = element(
      "span",
      "kb-search__hint kb-visually-hidden", // kb.css: read out, not shown
      "Results appear as you type. Use the down and up arrow keys to move through them, and Escape to close them."
    );
    hint.id = id + "-hint";
    row.appendChild(input);
    row.appendChild(button);
    form.appendChild(label);
    form.appendChild(row);
    form.appendChild(hint);

    var dropdown = element("div", "kb-search__dropdown");
    var status = element("p", "kb-search__status");
    status.id = id + "-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.setAttribute("aria-atomic", "true");
    var panel = element("div", "kb-search__panel");
    panel.hidden = true;
    var list = element("ol", "kb-search__results");
    list.id = id + "-results";
    list.setAttribute("aria-label", variant === "header" ? "Search results" : "Procedures that may answer your question");
    var route = element("p", "kb-search__route");
    panel.appendChild(list);
    panel.appendChild(route);
    dropdown.appendChild(status);
    dropdown.appendChild(panel);

    host.textContent = "";
    host.appendChild(form);
    host.appendChild(dropdown);
    host.setAttribute("data-kb-state", "ready");

    this.form = form;
    this.input = input;
    this.status = status;
    this.panel = panel;
    this.list = list;
    this.route = route;
    this.listen();
  }

  SearchBox.prototype.listen = function () {
    var box = this;
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      window.clearTimeout(box.timer);
      box.run(box.input.value, true);
    });
    this.input.addEventListener("input", function () {
      window.clearTimeout(box.timer);
      var query = box.input.value;
      if (query.trim().length < MIN_CHARACTERS) {
        box.ticket++;
        box.close(true);
        return;
      }
      box.timer = window.setTimeout(function () { box.run(query, false); }, PAUSE_MS);
    });
    // Focus is the first sign of a search: the engine and its index's first files load
    // while the first letters are typed (never before: opening a page loads nothing).
    this.input.addEventListener("focus", function () { warm(); });
    this.input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        if (box.panel.hidden && box.shownQuery !== null && sameWords(box.shownQuery, box.input.value)) box.open();
        if (box.moveTo(0)) event.preventDefault();
      } else if (event.key === "Escape" && !box.panel.hidden) {
        event.preventDefault(); // a search box would clear itself: keep what was typed
        box.close(false);
      }
    });
    this.panel.addEventListener("keydown", function (event) {
      var links = box.links();
      var at = links.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && at >= 0) {
        event.preventDefault();
        box.moveTo(Math.min(at + 1, links.length - 1));
      } else if (event.key === "ArrowUp" && at >= 0) {
        event.preventDefault();
        if (at === 0) box.input.focus();
        else box.moveTo(at - 1);
      } else if (event.key === "Escape") {
        event.preventDefault();
        box.close(false);
        box.input.focus();
      }
    });
    this.list.addEventListener("click", function (event) {
      if (event.target.closest && event.target.closest("a")) box.tellOpened();
    });
    if (this.variant === "header") {
      // The header's results float over the page: they close when the reader moves on.
      document.addEventListener("pointerdown", function (event) {
        if (!box.host.contains(event.target)) box.close(false);
      });
      this.host.addEventListener("focusout", function (event) {
        var next = event.relatedTarget;
        if (next && !box.host.contains(next)) box.close(false);
      });
    }
  };

  SearchBox.prototype.links = function () {
    return Array.prototype.slice.call(this.list.querySelectorAll("a"));
  };

  SearchBox.prototype.moveTo = function (index) {
    if (this.panel.hidden) return false;
    var links = this.links();
    if (!links.length) return false;
    links[index].focus();
    return true;
  };

  SearchBox.prototype.run = function (typed, submitted) {
    var query = typed.trim();
    var box = this;
    if (query.length < MIN_CHARACTERS) {
      if (submitted) this.say("Type at least " + MIN_CHARACTERS + " letters to search.");
      return;
    }
    var ticket = ++this.ticket;
    this.host.setAttribute("data-kb-state", "searching");
    search(query).then(function (answer) {
      if (ticket !== box.ticket) return; // a newer search is on its way
      box.backend = answer.backend;
      box.host.setAttribute("data-kb-backend", answer.backend.name);
      box.searchId = answer.searchId || null;
      box.show(query, answer);
    }, function (error) {
      if (ticket !== box.ticket) return;
      box.host.setAttribute("data-kb-shown", query);
      if (error && error.refused) box.unavailable("Cannot search for that: " + error.message + ".");
      else {
        box.host.setAttribute("data-kb-backend", "none");
        box.unavailable("Search is not available here. Use the navigation to find the procedure.");
      }
    });
  };

  SearchBox.prototype.show = function (query, answer) {
    var results = (answer.results || []).filter(function (result) { return resultHref(result.url); });
    var strong = results.filter(function (result) { return !result.weak; });
    var weak = results.filter(function (result) { return result.weak; });
    var box = this;
    this.list.textContent = "";
    strong.forEach(function (result) { box.list.appendChild(box.item(result, null)); });
    weak.forEach(function (result, index) { box.list.appendChild(box.item(result, index === 0 ? "first" : "more")); });
    this.list.hidden = !results.length;
    this.shownQuery = query;

    var corrected = answer.searched_for && !sameWords(answer.searched_for, query);
    var intro = corrected ? "Showing results for " + quoted(answer.searched_for) + " (you typed " + quoted(query) + "). " : "";
    var said;
    if (!results.length) {
      said = intro + "No procedure matched " + quoted(corrected ? answer.searched_for : query) + ".";
    } else {
      said = intro + plural(strong.length, "result", "results");
      if (weak.length) said += ", and " + plural(weak.length, "result that may not answer", "results that may not answer");
      said += ".";
    }
    this.showRoute(results.length > 0);
    this.open();
    this.say(said);
    this.host.setAttribute("data-kb-shown", query); // what the results answer (tests wait on it)
    this.host.setAttribute("data-kb-state", results.length ? "results" : "no-results");
  };

  SearchBox.prototype.item = function (result, weakPlace) {
    var item = element("li", "kb-search__result");
    if (weakPlace === "first") {
      var note = element("p", "kb-search__weak-note", "These may not answer your question:");
      note.id = this.list.id + "-weak";
      item.appendChild(note);
    }
    if (weakPlace) item.className += " kb-search__result--weak";
    var link = element("a", "kb-search__link");
    link.href = resultHref(result.url);
    link.appendChild(element("span", "kb-search__title", result.title));
    // Named "<title> Section: <heading>": the section is a line of its own (a block, so
    // the name has a space between the two).
    if (result.section) link.appendChild(element("span", "kb-search__section", "Section: " + result.section));
    if (weakPlace) link.setAttribute("aria-describedby", this.list.id + "-weak");
    item.appendChild(link);
    if (result.snippet) {
      var snippet = element("p", "kb-search__snippet");
      snippet.appendChild(snippetNodes(result.snippet));
      item.appendChild(snippet);
    }
    return item;
  };

  /* Nothing found, or nothing that answers: the way to raise a service request. */
  SearchBox.prototype.showRoute = function (found) {
    this.route.textContent = "";
    this.route.hidden = !srRoute;
    if (!srRoute) return;
    this.route.appendChild(document.createTextNode(found ? "None of these answers your question? " : "No procedure answers your question? "));
    var link = element("a", "kb-search__route-link", found ? "How to raise an SR" : "Raise a service request (SR)");
    link.href = srRoute;
    this.route.appendChild(link);
  };

  SearchBox.prototype.unavailable = function (message) {
    this.list.textContent = "";
    this.list.hidden = true;
    this.shownQuery = null;
    this.showRoute(false);
    this.open();
    this.say(message);
    this.host.setAttribute("data-kb-state", "unavailable");
  };

  SearchBox.prototype.open = function () {
    this.panel.hidden = false;
    this.host.classList.add("kb-search--open");
  };

  SearchBox.prototype.close = function (forget) {
    this.panel.hidden = true;
    this.host.classList.remove("kb-search--open");
    this.say("");
    if (forget) {
      this.list.textContent = "";
      this.shownQuery = null;
    }
  };

  SearchBox.prototype.say = function (text) {
    this.status.textContent = text;
  };

  /* Tell the service a result was opened (the search's id only: no query, no page), so
     owners can see which searches found nothing worth opening. */
  SearchBox.prototype.tellOpened = function () {
    if (!this.searchId || !this.backend || this.backend.name !== "service") return;
    fetch(this.backend.api + "opened", {
      method: "POST",
      keepalive: true,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ search: this.searchId })
    }).catch(function () {});
  };

  // --- start -----------------------------------------------------------------------------

  /* "/" is a character in a text field: only there is it not a jump to the search box. */
  var NOT_TEXT = /^(button|checkbox|color|file|hidden|image|radio|range|reset|submit)$/;

  function isTyping(target) {
    if (!target || target === document.body) return false;
    if (target.isContentEditable || /^(TEXTAREA|SELECT)$/.test(target.tagName)) return true;
    return target.tagName === "INPUT" && !NOT_TEXT.test(target.type);
  }

  function start() {
    var header = document.querySelector('[data-kb-search="header"]');
    var bar = document.querySelector(".md-header__inner");
    if (header && bar) {
      bar.appendChild(header); // in the theme's header bar, after the title
      bar.classList.add("kb-search-host");
    }
    var boxes = Array.prototype.map.call(document.querySelectorAll("[data-kb-search]"), function (host) {
      return new SearchBox(host);
    });
    var first = boxes.filter(function (box) { return box.variant === "header"; })[0] || boxes[0];
    if (!first) return;
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      event.preventDefault();
      first.input.focus();
      first.input.select();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
