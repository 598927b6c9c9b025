// clipwise: tell the server whether this screen is phone-sized (Chainlit's own breakpoint, 768 px),
// so the memory panel, which covers the whole chat there, opens only when asked (the "Memory" button).
(function () {
  var narrow = window.matchMedia("(max-width: 767px)");
  function tell() {
    document.cookie = "clipwise_screen=" + (narrow.matches ? "narrow" : "wide") + "; path=/; SameSite=Strict";
  }
  tell();
  narrow.addEventListener("change", tell);
})();
