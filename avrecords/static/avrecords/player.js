/* Chain of custody (第二十六条): a play is logged when playback actually starts, not when a
   page embeds a player (which only preloads the metadata). The first `play` event of a page
   view POSTs the view's token to the record's `played` endpoint (CSRF token in X-CSRFToken);
   the server logs one entry per token, so pausing and resuming adds nothing. Included once
   or once per player; binds each player once.

   Players load when opened (issue 17): the case page shows a poster and a play button
   (`.av-lazy`, its data-* carrying the proxy's URL and the logging data); the <video> or
   <audio> element is created on click, so a page of records fetches no media until asked. */
(function () {
  "use strict";

  function bind(player) {
    if (player.dataset.playBound) { return; }
    player.dataset.playBound = "1";
    var sent = false;
    player.addEventListener("play", function () {
      if (sent) { return; }
      sent = true;
      var body = new URLSearchParams({viewing: player.dataset.viewing});
      fetch(player.dataset.playedUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {"X-CSRFToken": player.dataset.csrf},
        body: body
      }).then(function (resp) {
        if (!resp.ok) { sent = false; }  // not logged: the next play event tries again
        player.dataset.played = resp.ok ? "logged" : "failed";
      }, function () { sent = false; player.dataset.played = "failed"; });
    });
  }

  function open(box) {
    if (box.dataset.opened) { return; }
    box.dataset.opened = "1";
    var player = document.createElement(box.dataset.kind === "audio" ? "audio" : "video");
    player.className = "av-player";
    player.controls = true;
    player.setAttribute("controlslist", "nodownload");
    player.preload = "metadata";
    player.dataset.playedUrl = box.dataset.playedUrl;
    player.dataset.viewing = box.dataset.viewing;
    player.dataset.csrf = box.dataset.csrf;
    if (box.dataset.poster) { player.poster = box.dataset.poster; }
    player.src = box.dataset.src;
    bind(player);
    var button = box.querySelector(".av-play");
    if (button) { button.remove(); }
    var poster = box.querySelector(".av-poster");
    if (poster && box.dataset.kind !== "audio") { poster.remove(); }
    box.appendChild(player);
    var started = player.play();
    if (started && started.catch) { started.catch(function () { /* autoplay refused: controls remain */ }); }
  }

  Array.prototype.forEach.call(document.querySelectorAll(".av-player[data-played-url]"), bind);
  if (!document.documentElement.dataset.avLazyBound) {
    document.documentElement.dataset.avLazyBound = "1";
    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest(".av-lazy .av-play") : null;
      if (button) { event.preventDefault(); open(button.closest(".av-lazy")); }
    });
  }
})();
