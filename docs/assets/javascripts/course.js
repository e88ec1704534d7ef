// Accessibility fixes for Material's own markup, applied on every page load
// (including Material's instant navigation): the search dialog gets a name,
// and each table that scrolls sideways becomes a named keyboard stop.
document$.subscribe(function () {
  var search = document.querySelector(".md-search[role=dialog]");
  if (search) search.setAttribute("aria-label", "Search");
  document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
    wrap.setAttribute("tabindex", "0");
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", "Table (scrolls sideways)");
  });
});
