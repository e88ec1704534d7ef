// The course's additions to Material's pages, applied on every page load
// (including Material's instant navigation). Each does what CSS cannot:
// - the search dialog gets a name;
// - a box that scrolls sideways (code, an output, a table) becomes a named
//   keyboard stop while it scrolls, and stops being one when it no longer
//   does (the page step, hooks/notebook_page.py, leaves no other cell a Tab stop);
// - a table stacks on a phone (course.css) when it has five or more columns
//   or is wider than the phone's column: each cell carries its column's
//   name, and explicit table roles keep its structure for screen readers
//   once CSS changes its display;
// - a notebook figure opens full size in a dialog on click or tap;
// - collapsed boxes open for printing in browsers without ::details-content.
(function () {
  "use strict";

  var SCROLLING = [
    [".md-typeset pre > code, .jupyter-wrapper .highlight-ipynb", "Code (scrolls sideways)"],
    [".jupyter-wrapper .jp-OutputArea-output", "Output (scrolls sideways)"],
    [".md-typeset__scrollwrap", "Table (scrolls sideways)"],
    [".md-typeset .tabbed-labels", "Tabs (scroll sideways)"]
  ];

  function markScrollingBoxes() {
    SCROLLING.forEach(function (entry) {
      document.querySelectorAll(entry[0]).forEach(function (box) {
        var scrolls = box.scrollWidth > box.clientWidth + 1;
        if (scrolls && !box.hasAttribute("data-scroll-stop")) {
          box.setAttribute("data-scroll-stop", "");
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "group");
          box.setAttribute("aria-label", entry[1]);
        } else if (!scrolls && box.hasAttribute("data-scroll-stop")) {
          ["data-scroll-stop", "tabindex", "role", "aria-label"].forEach(function (name) {
            box.removeAttribute(name);
          });
        }
      });
    });
  }

  // The width up to which course.css stacks a marked table (its phone layout).
  var PHONE = window.matchMedia("screen and (max-width: 44.9375em)");

  function stackWideTables() {
    document.querySelectorAll(".md-typeset__table > table").forEach(function (table) {
      var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      if (headers.length < 2 || table.hasAttribute("data-stack")) return;
      var box = table.closest(".md-typeset__scrollwrap") || table.parentNode;
      var tooWide = PHONE.matches && box.scrollWidth > box.clientWidth + 1;
      if (headers.length < 5 && !tooWide) return;
      table.setAttribute("data-stack", "");
      table.setAttribute("role", "table");
      table.querySelectorAll("thead, tbody").forEach(function (group) {
        group.setAttribute("role", "rowgroup");
      });
      table.querySelectorAll("tr").forEach(function (row) {
        row.setAttribute("role", "row");
        Array.prototype.forEach.call(row.cells, function (cell, index) {
          if (cell.tagName === "TH") {
            cell.setAttribute("role", "columnheader");
          } else {
            cell.setAttribute("role", index === 0 ? "rowheader" : "cell");
            cell.setAttribute("data-label", headers[index] || "");
          }
        });
      });
    });
  }

  function figureDialog() {
    var dialog = document.querySelector("dialog.figure-dialog");
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.className = "figure-dialog";
    dialog.setAttribute("aria-label", "Figure, full size");
    dialog.innerHTML = '<form method="dialog"><button class="figure-dialog__close" autofocus>Close</button></form><img alt="">';
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close();  // a tap beside the figure closes it
    });
    document.body.appendChild(dialog);
    return dialog;
  }

  function openFigure(figure) {
    var dialog = figureDialog();
    var image = dialog.querySelector("img");
    image.src = figure.currentSrc || figure.src;
    image.alt = figure.alt;
    var room = document.documentElement.clientWidth - 32;
    var natural = figure.naturalWidth;
    // Full size, and up to twice that where the screen has room for it.
    image.style.width = (natural < room ? Math.min(room, natural * 2) : natural) + "px";
    dialog.showModal();
  }

  function makeFiguresEnlargeable() {
    document.querySelectorAll(".jupyter-wrapper .jp-RenderedImage img").forEach(function (figure) {
      if (figure.closest("button")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "figure-zoom";
      button.setAttribute("aria-haspopup", "dialog");
      button.setAttribute("aria-label", "Enlarge figure: " + (figure.alt || "notebook figure"));
      figure.parentNode.insertBefore(button, figure);
      button.appendChild(figure);
      button.addEventListener("click", function () { openFigure(figure); });
    });
  }

  var opened = [];
  window.addEventListener("beforeprint", function () {
    if (CSS.supports("selector(::details-content)")) return;
    document.querySelectorAll("details:not([open])").forEach(function (details) {
      details.open = true;
      opened.push(details);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (details) { details.open = false; });
    opened = [];
  });

  // The navigation drawer from the keyboard: the menu button is a Tab stop
  // that opens it with Enter or Space and moves the focus to its first link;
  // Escape, or the focus leaving it, closes it.
  function keyboardDrawer() {
    var button = document.querySelector('.md-header label[for="__drawer"]');
    var sidebar = document.querySelector(".md-sidebar--primary");
    if (!button || !sidebar || button.hasAttribute("tabindex")) return;
    sidebar.addEventListener("focusout", function (event) {
      var toggle = document.getElementById("__drawer");
      if (toggle.checked && event.relatedTarget && !sidebar.contains(event.relatedTarget)) toggle.click();
    });
    // A label takes no button role and no aria-label (ARIA in HTML): it is named
    // by its text, hidden from sight (the icon shows).
    button.setAttribute("tabindex", "0");
    var name = document.createElement("span");
    name.className = "course-hidden-name";
    name.textContent = "Navigation";
    button.appendChild(name);
    button.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" && event.key !== " ") return;
      if (event.key === " ") {       // Material itself clicks a focused label on Enter
        event.preventDefault();
        button.click();
      }
      setTimeout(function () {
        if (!document.getElementById("__drawer").checked) return;
        var links = document.querySelectorAll(".md-sidebar--primary :is(a[href], label[tabindex])");
        var first = Array.prototype.find.call(links, function (link) {
          return link.checkVisibility({visibilityProperty: true}) && link.getClientRects().length;
        });
        if (first) first.focus();
      }, 0);
    });
  }

  document.addEventListener("keydown", function (event) {
    var toggle = document.getElementById("__drawer");
    if (event.key !== "Escape" || !toggle || !toggle.checked) return;
    toggle.click();
    var button = document.querySelector('.md-header label[for="__drawer"]');
    if (button) button.focus();
  });

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      stackWideTables();
      markScrollingBoxes();
    }, 150);
  });

  document$.subscribe(function () {
    var search = document.querySelector(".md-search[role=dialog]");
    if (search) search.setAttribute("aria-label", "Search");
    stackWideTables();
    makeFiguresEnlargeable();
    markScrollingBoxes();
    keyboardDrawer();
  });
})();
