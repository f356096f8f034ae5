// "Skip to main content" moves the keyboard focus into the page. Blazor's router takes over in-page links, which would
// scroll at most and leave the focus in the app bar, so the link does the move itself.
document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest(".skip-link") : null;
    if (!link) return;
    const main = document.getElementById("main-content");
    if (!main) return;
    event.preventDefault();
    event.stopPropagation();
    main.focus();
}, { capture: true });
