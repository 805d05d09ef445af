// Progressive enhancement only: the site works without this file.
// Adds a "copy" button to each citation block when the browser can write to the clipboard.
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) { return; }
  document.querySelectorAll(".citation").forEach(function (block) {
    var text = block.querySelector(".citation-text");
    if (!text) { return; }
    var button = document.createElement("button");
    var label = block.getAttribute("data-copy-label") || "Copy";
    var done = block.getAttribute("data-copied-label") || "Copied";
    button.type = "button";
    button.className = "copy-button";
    button.textContent = label;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(text.textContent.trim()).then(function () {
        button.textContent = done;
        setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
    block.appendChild(button);
  });
}());

// On a phone the search filters and a report's table of contents start folded, so the first
// hit or the text itself is near the top; without JavaScript they stay open (the page still works).
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(max-width: 50rem)").matches) { return; }
  document.querySelectorAll(".facet-panel, .toc > details").forEach(function (panel) {
    panel.removeAttribute("open");
  });
}());
