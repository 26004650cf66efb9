// Small progressive enhancements; every page works without JavaScript.
document.documentElement.classList.replace("no-js", "js");
document.addEventListener("click", function (event) {
  var toggle = event.target.closest(".menu-toggle");
  if (!toggle) return;
  var nav = document.getElementById(toggle.getAttribute("aria-controls"));
  var open = nav.classList.toggle("open");
  toggle.setAttribute("aria-expanded", open ? "true" : "false");
});
document.addEventListener("htmx:responseError", function (event) {
  if (event.detail.xhr.status === 404) {
    alert(document.documentElement.lang.startsWith("zh") ? "未找到，或不在您的管辖范围内。" : "Not found, or outside your scope.");
  }
});
