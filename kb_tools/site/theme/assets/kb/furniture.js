/* Caseworker Procedures: page furniture that needs a script (no inline scripts: the pages
   carry a Content-Security-Policy). Everything here degrades to plain HTML without it. */
(function () {
  "use strict";

  /* Below 1,220 px the navigation is a drawer parked off-screen. While closed it is inert,
     so Tab never lands on links nobody can see (kb.css also hides it). */
  function guardDrawer() {
    var toggle = document.querySelector('[data-md-toggle="drawer"]');
    var drawer = document.querySelector(".md-sidebar--primary");
    if (!toggle || !drawer) return;
    var wide = window.matchMedia("(min-width: 76.25em)");
    function update() {
      var closed = !wide.matches && !toggle.checked;
      drawer.inert = closed;
      if (closed) drawer.setAttribute("aria-hidden", "true");
      else drawer.removeAttribute("aria-hidden");
    }
    toggle.addEventListener("change", update);
    if (wide.addEventListener) wide.addEventListener("change", update);
    /* Material can also close the drawer from its own script, which fires no change event. */
    document.addEventListener("click", function () {
      window.setTimeout(update, 0);
    });
    document.addEventListener("keyup", update);
    update();
    menuButton(toggle, drawer, wide);
  }

  /* Material's header menu button is a <label>, which a keyboard cannot reach:
     make it a button. Material's own keyboard handler presses a focused label on Enter;
     Space, as on any button, is added here. */
  function labelButton(label, name) {
    label.setAttribute("role", "button");
    label.setAttribute("tabindex", "0");
    label.setAttribute("aria-label", name);
    label.addEventListener("keydown", function (event) {
      if (event.key === " ") {
        event.preventDefault();
        label.click();
      }
    });
  }

  function menuButton(toggle, drawer, wide) {
    var label = document.querySelector('.md-header label[for="__drawer"]');
    if (!label) return;
    labelButton(label, "Menu");
    function show() {
      label.setAttribute("aria-expanded", String(toggle.checked));
    }
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.checked && !wide.matches) {
        toggle.click();
        label.focus();
      }
    });
    toggle.addEventListener("change", show);
    show();
  }

  /* "Print this page": printing works with Ctrl+P too; the button says that it can. */
  function printButtons() {
    document.querySelectorAll("[data-kb-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  /* The search service: site.yml's search_api (<meta name="kb-api">), else /api/ beside the
     editions on the server these pages came from. None from files. */
  function apiBase() {
    if (!/^https?:$/.test(window.location.protocol)) return null;
    var configured = (document.querySelector('meta[name="kb-api"]') || {}).content || "";
    if (configured) return configured.replace(/\/+$/, "") + "/api/";
    var script = document.querySelector("script[data-api]");
    return script ? new URL(script.getAttribute("data-api"), window.location.href).href : null;
  }

  /* "Is this page useful?": shown only when the service answers, since only it can keep
     the answer. Yes sends at once; No offers one optional reason, then sends. */
  function feedback() {
    var box = document.querySelector("[data-kb-feedback]");
    var api = apiBase();
    if (!box || !api || !window.fetch) return;
    fetch(api + "health", { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 200) startFeedback(box, api);
      })
      .catch(function () {
        /* no service: the question stays hidden */
      });
  }

  function startFeedback(box, api) {
    var form = box.querySelector("form");
    var no = box.querySelector("[data-kb-feedback-no]");
    var reasons = box.querySelector(".kb-feedback__reasons");
    var status = box.querySelector(".kb-feedback__status");
    box.hidden = false;
    no.addEventListener("click", function () {
      reasons.hidden = false;
      no.setAttribute("aria-expanded", "true");
      var first = reasons.querySelector("input");
      if (first) first.focus();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var useful = !!(event.submitter && event.submitter.value === "yes");
      var chosen = form.querySelector("input[name=reason]:checked");
      var body = {
        page: box.getAttribute("data-page"),
        edition: box.getAttribute("data-edition"),
        useful: useful,
        reason: !useful && chosen ? chosen.value : null
      };
      status.textContent = "";
      fetch(api + "feedback", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body)
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          form.hidden = true;
          status.textContent = "Thank you for your feedback.";
          status.setAttribute("tabindex", "-1");
          status.focus();
        })
        .catch(function () {
          status.textContent = "Sorry, your feedback was not sent. Try again later.";
        });
    });
  }

  /* Glossary terms: the "?" after a term's first use shows or hides its definition in place
     (a disclosure button: works by keyboard and touch; the term itself links to the Glossary). */
  function glossaryTerms() {
    document.querySelectorAll(".kb-term__button").forEach(function (button) {
      var definition = document.getElementById(button.getAttribute("aria-controls"));
      if (!definition) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", String(open));
        definition.hidden = !open;
      });
      button.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
          button.setAttribute("aria-expanded", "false");
          definition.hidden = true;
        }
      });
    });
  }

  function ready(run) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
    else run();
  }

  ready(function () {
    guardDrawer();
    printButtons();
    glossaryTerms();
    feedback();
  });
})();
