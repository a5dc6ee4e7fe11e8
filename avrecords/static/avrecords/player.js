/* Chain of custody (第二十六条): a play is logged when playback actually starts, not when a
   page embeds a player (which only preloads the metadata). The first `play` event of a page
   view POSTs the view's token to the record's `played` endpoint (CSRF token in X-CSRFToken);
   the server logs one entry per token, so pausing and resuming adds nothing. Included once
   per player; binds each player once. */
(function () {
  "use strict";
  var players = document.querySelectorAll(".av-player[data-played-url]");
  Array.prototype.forEach.call(players, function (player) {
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
  });
})();
