// Fold the list of column descriptions on table pages into a closed <details>,
// so the rows come first and the descriptions are one click away.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("dl.column-descriptions").forEach(function (list) {
    var details = document.createElement("details");
    details.className = "column-descriptions-toggle";
    var summary = document.createElement("summary");
    summary.textContent = "What the " + list.querySelectorAll("dt").length + " columns mean";
    list.parentNode.insertBefore(details, list);
    details.appendChild(summary);
    details.appendChild(list);
  });
});
