// Polls each running export's status (archive:export_status) and shows the download link when done.
(function () {
  function poll(el) {
    fetch(el.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        el.dataset.status = s.status;
        var bar = el.querySelector("progress"), label = el.querySelector(".export-label");
        if (bar) bar.value = s.percent;
        if (label) label.textContent = s.status_label + "（" + s.percent + "%）" + (s.message ? " " + s.message : "");
        if (s.download) {
          if (bar) bar.remove();
          var a = document.createElement("a");
          a.className = "export-download"; a.href = s.download; a.textContent = "下载归档包";
          el.appendChild(document.createTextNode(" ")); el.appendChild(a);
        } else if (s.status !== "failed") {
          setTimeout(function () { poll(el); }, 1000);
        } else if (bar) {
          bar.remove();
        }
      })
      .catch(function () { setTimeout(function () { poll(el); }, 3000); });
  }
  document.querySelectorAll(".export-status").forEach(function (el) {
    if (el.dataset.status === "queued" || el.dataset.status === "running") poll(el);
  });
})();
