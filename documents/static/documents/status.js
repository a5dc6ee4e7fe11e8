// Polls each rendering document's status and swaps in the download link when it is final.
(function () {
  function poll(el) {
    fetch(el.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        el.dataset.status = s.status;
        var bar = el.querySelector("progress"), label = el.querySelector(".doc-label");
        if (bar) bar.value = s.progress;
        if (label) label.textContent = s.label;
        if (s.download) {
          if (label) { label.className = "badge ok"; label.textContent = s.label; }
          if (bar) bar.remove();
          var a = document.createElement("a");
          a.className = "doc-download"; a.href = s.download; a.textContent = "下载 PDF";
          el.appendChild(document.createTextNode(" ")); el.appendChild(a);
        } else if (s.status === "failed") {
          if (label) { label.className = "badge bad"; label.textContent = s.label; }
          if (bar) bar.remove();
        } else {
          setTimeout(function () { poll(el); }, 1000);
        }
      })
      .catch(function () { setTimeout(function () { poll(el); }, 3000); });
  }
  document.querySelectorAll(".doc-status").forEach(function (el) {
    if (el.dataset.status === "queued" || el.dataset.status === "rendering") poll(el);
  });
})();
