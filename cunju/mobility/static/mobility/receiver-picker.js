// The receiver of a transfer letter: pick one of the organizations the search lists.
// Without JavaScript the typed name is resolved on the server instead.
(function () {
  function picker(node) { return node.closest("[data-receiver-picker]"); }
  document.addEventListener("click", function (event) {
    var choice = event.target.closest(".receiver-results button[data-pk]");
    if (!choice) return;
    var box = picker(choice);
    box.querySelector("[data-receiver-value]").value = choice.dataset.pk;
    var query = box.querySelector("[data-receiver-query]");
    query.value = choice.dataset.label;
    query.setAttribute("aria-expanded", "false");
    box.querySelector(".receiver-results").innerHTML = "";
    query.focus();
  });
  document.addEventListener("input", function (event) {
    if (!event.target.matches("[data-receiver-query]")) return;
    // Typing again drops the choice made before: the server resolves what is typed.
    picker(event.target).querySelector("[data-receiver-value]").value = "";
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.target.classList.contains("receiver-results")) return;
    var query = picker(event.target).querySelector("[data-receiver-query]");
    query.setAttribute("aria-expanded", event.target.children.length ? "true" : "false");
  });
})();
