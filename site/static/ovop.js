// The OVOP site's own script (served by the site: /ovop-static/ovop.js): long column descriptions collapsed.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("dl.column-descriptions").forEach(function (dl) {
    var details = document.createElement("details");
    details.className = "ovop-columns";
    var summary = document.createElement("summary");
    summary.textContent = "Keterangan kolom / column descriptions (" + dl.querySelectorAll("dt").length + ")";
    details.appendChild(summary);
    dl.parentNode.insertBefore(details, dl);
    details.appendChild(dl);
  });
});
