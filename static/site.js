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

// On a phone the search filters start folded behind their button, so the first hit is near
// the top; without JavaScript they stay open (the page still works).
(function () {
  "use strict";
  var panel = document.querySelector(".facet-panel");
  if (panel && window.matchMedia && window.matchMedia("(max-width: 50rem)").matches) {
    panel.removeAttribute("open");
  }
}());
