/* Browser upload of audio-visual files over tus (vendored tus-js-client, no CDN).
   Same endpoint as the collection stations; the officer's session authenticates, the
   CSRF token goes in X-CSRFToken. An interrupted upload resumes from its offset. */
(function () {
  "use strict";
  var box = document.querySelector(".av-upload");
  if (!box || !window.tus) { return; }
  var endpoint = box.dataset.endpoint, caseNumber = box.dataset.case;
  var list = box.querySelector(".av-progress");

  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function iso(date) {  // ISO 8601 with the browser's UTC offset, as the API requires
    var off = -date.getTimezoneOffset(), sign = off >= 0 ? "+" : "-";
    off = Math.abs(off);
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + "T" +
      pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds()) +
      sign + pad(Math.floor(off / 60)) + ":" + pad(off % 60);
  }
  function field(id) {
    var v = box.querySelector(id).value;
    return v ? iso(new Date(v)) : "";
  }

  function start(file) {
    var item = document.createElement("li");
    item.textContent = file.name + "：准备上传";
    list.appendChild(item);
    var meta = { filename: file.name, filetype: file.type || "", "case": caseNumber };
    var started = field("#av-started"), ended = field("#av-ended");
    // The end of the recording only as the officer states it; the file's modification
    // time goes as itself, so the server says the deadline ran from it and asks to confirm.
    if (ended) { meta.ended_at = ended; }
    if (started) { meta.started_at = started; }
    if (file.lastModified) { meta.file_modified_at = iso(new Date(file.lastModified)); }
    var upload = new tus.Upload(file, {
      endpoint: endpoint,
      chunkSize: 8 * 1024 * 1024,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      metadata: meta,
      headers: { "X-CSRFToken": cookie("csrftoken") },
      removeFingerprintOnSuccess: true,
      onError: function (err) { item.textContent = file.name + "：上传失败（" + err.message + "），可重新选择该文件续传"; item.className = "errors"; },
      onProgress: function (sent, total) { item.textContent = file.name + "：已上传 " + Math.floor(sent / total * 100) + "%"; },
      onSuccess: function () {
        item.textContent = file.name + "：上传完成，正在入库处理";
        item.className = "av-done";
        setTimeout(function () { window.location.reload(); }, 1500);
      }
    });
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) { upload.resumeFromPreviousUpload(previous[0]); }
      upload.start();
    });
  }

  box.querySelector("#av-start").addEventListener("click", function () {
    var files = box.querySelector("#av-file").files;
    for (var i = 0; i < files.length; i++) { start(files[i]); }
  });
})();
