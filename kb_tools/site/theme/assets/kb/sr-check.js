/* "Check before you raise an SR": search the procedures for the caseworker's question.
 *
 * Served by `kb serve`, the page asks its search API (typo-tolerant, knows the
 * abbreviations) and lists the best procedures with snippets. Opened as plain files, or
 * from a server without the API, it hands the question to the site's built-in search.
 * The steps for raising an SR are on the page either way.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var form = document.querySelector("[data-kb-sr-check]");
  if (!form || !script) return;
  var input = form.querySelector("input[name=q]");
  var status = document.getElementById("kb-sr-status");
  var list = document.getElementById("kb-sr-results");
  var edition = form.getAttribute("data-edition");
  // The search service: the address site.yml names (search_api, in <meta name="kb-api">),
  // else the server this page came from.
  var configured = (document.querySelector('meta[name="kb-api"]') || {}).content || "";
  var api = configured
    ? new URL(configured.replace(/\/+$/, "") + "/api/search")
    : new URL(script.getAttribute("data-api"), window.location.href);
  var apiUsable = /^https?:$/.test(window.location.protocol);
  var searchId = null;  // the service's id for the last search, to say a result was opened
  var latest = 0;
  var timer = null;

  form.setAttribute("data-kb-mode", apiUsable ? "api" : "site-search");

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    search(true);
  });

  // Results as the caseworker types, but only from the API: the site search would take focus.
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    if (apiUsable) timer = window.setTimeout(function () { search(false); }, 250);
  });

  function search(submitted) {
    var query = input.value.trim();
    var ticket = ++latest;
    if (!query) {
      showNothing();
      return;
    }
    if (!apiUsable) {
      if (submitted) handToSiteSearch(query);
      return;
    }
    askApi(query).then(function (answer) {
      if (ticket !== latest) return;  // a newer question is on its way
      if (answer.ok) {
        showResults(query, answer.results);
      } else if (answer.error) {
        say(answer.error);
      } else {
        apiUsable = false;
        form.setAttribute("data-kb-mode", "site-search");
        if (submitted) handToSiteSearch(query);
      }
    });
  }

  // {ok, results} from the API; {error} for a question it refused; {} when there is no API.
  function askApi(query) {
    var url = new URL(api.href);
    url.search = new URLSearchParams({ q: query, edition: edition, limit: "5" }).toString();
    return fetch(url.href, { headers: { Accept: "application/json" } })
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!json) return {};
        searchId = response.headers.get("X-Search-Id");
        return response.json().then(function (body) {
          if (response.ok && Array.isArray(body)) return { ok: true, results: body };
          return response.status === 400 && body.error ? { error: "Cannot search for that: " + body.error + "." } : {};
        });
      })
      .catch(function () { return {}; });
  }

  function showNothing() {
    list.hidden = true;
    list.textContent = "";
    say("");
  }

  // Tell the service a result was opened (no query, no page: the search's id only), so
  // owners can see which searches found nothing worth opening.
  list.addEventListener("click", function (event) {
    if (!searchId || !event.target.closest("a")) return;
    var opened = new URL(api.href.replace(/\/api\/search$/, "/api/opened"));
    fetch(opened.href, {
      method: "POST",
      keepalive: true,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ search: searchId })
    }).catch(function () {});
  });

  function showResults(query, results) {
    list.textContent = "";
    if (!results.length) {
      list.hidden = true;
      say("No procedure matched \u201c" + query + "\u201d. ", "How to raise an SR", "#raise-an-sr");
      return;
    }
    var searched = results[0].searched_for;
    var count = results.length === 1 ? "1 procedure" : results.length + " procedures";
    var intro = searched !== query.replace(/\s+/g, " ")
      ? "Showing results for \u201c" + searched + "\u201d (you typed \u201c" + query + "\u201d): " + count + "."
      : count + " may answer your question.";
    say(intro + " None of them answers it? ", "How to raise an SR", "#raise-an-sr");
    results.forEach(function (result) {
      list.appendChild(resultItem(result));
    });
    list.hidden = false;
  }

  function resultItem(result) {
    var item = document.createElement("li");
    item.className = "kb-sr-check__result";
    var link = document.createElement("a");
    link.href = result.url;
    link.textContent = result.title;
    var title = document.createElement("p");
    title.className = "kb-sr-check__title";
    title.appendChild(link);
    item.appendChild(title);
    if (result.section) {
      var section = document.createElement("p");
      section.className = "kb-sr-check__section";
      section.textContent = "Section: " + result.section;
      item.appendChild(section);
    }
    var snippet = document.createElement("p");
    snippet.className = "kb-sr-check__snippet";
    snippet.innerHTML = result.snippet;  // the API escapes the text; only <mark> is markup
    item.appendChild(snippet);
    return item;
  }

  // Opened from files: the built-in search (Material's) shows its results for the question.
  function handToSiteSearch(query) {
    var toggle = document.querySelector("input[data-md-toggle=search]");
    var box = document.querySelector("input[data-md-component=search-query]");
    list.hidden = true;
    if (!toggle || !box) {
      say("Search is not available here. Use the navigation, or ", "raise an SR", "#raise-an-sr");
      return;
    }
    say("Showing the site search\u2019s results for \u201c" + query + "\u201d. If none answers it, ", "raise an SR", "#raise-an-sr");
    toggle.checked = true;
    toggle.dispatchEvent(new Event("change"));
    box.value = query;
    box.focus();
    box.dispatchEvent(new KeyboardEvent("keyup", { key: "Enter" }));
  }

  function say(text, linkText, href) {
    status.textContent = text;
    if (linkText) {
      var link = document.createElement("a");
      link.href = href;
      link.textContent = linkText;
      status.appendChild(link);
      status.appendChild(document.createTextNode("."));
    }
  }
})();
