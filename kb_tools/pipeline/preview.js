// kb preview: reload the page when a newer build is ready; show a failed build's errors over
// the last good page. Served only by `kb preview` (kb_tools/pipeline/preview.py), never published.
(function () {
  "use strict";
  var script = document.currentScript;
  var shownBuild = Number(script && script.getAttribute("data-kb-build")) || 0;
  var BOX_ID = "kb-preview-errors";

  function showErrors(errors) {
    var box = document.getElementById(BOX_ID);
    if (!errors.length) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement("section");
      box.id = BOX_ID;
      box.setAttribute("role", "alert");
      box.style.cssText =
        "position:fixed;left:0;right:0;bottom:0;z-index:1000;max-height:50vh;overflow:auto;" +
        "margin:0;padding:1em;background:#fff3f3;color:#2b0000;border-top:4px solid #b00020;" +
        "font:14px/1.4 monospace;box-shadow:0 -2px 8px rgba(0,0,0,.3)";
      document.body.appendChild(box);
    }
    var heading = document.createElement("strong");
    heading.textContent = "Preview not updated: fix these, then save again. This is the last good preview.";
    var list = document.createElement("pre");
    list.style.cssText = "white-space:pre-wrap;margin:.5em 0 0";
    list.textContent = errors.join("\n");
    box.replaceChildren(heading, list);
  }

  function poll(seen) {
    fetch("/_kb_preview/state?since=" + seen, { cache: "no-store" })
      .then(function (response) {
        return response.json();
      })
      .then(function (state) {
        if (state.build !== shownBuild) {
          location.reload();
          return;
        }
        showErrors(state.errors);
        poll(state.generation);
      })
      .catch(function () {
        // The preview stopped or restarted: try again in a moment.
        setTimeout(function () {
          poll(-1);
        }, 1000);
      });
  }

  poll(-1);
})();
