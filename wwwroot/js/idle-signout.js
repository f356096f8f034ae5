// Signs the browser out after a stretch without keyboard, mouse or touch input. A Blazor circuit keeps a session
// alive on its own, so an unattended console would otherwise stay signed in on a router for as long as the tab is open.
(() => {
    let lastInput = Date.now();
    const touch = () => { lastInput = Date.now(); };
    for (const type of ["keydown", "mousedown", "mousemove", "wheel", "touchstart", "scroll"]) {
        window.addEventListener(type, touch, { passive: true, capture: true });
    }
    setInterval(() => {
        const form = document.getElementById("idle-signout");
        if (!form) return;
        const limit = Number(form.dataset.idleSeconds || "0") * 1000;
        if (limit > 0 && Date.now() - lastInput > limit) {
            lastInput = Date.now();
            form.submit();
        }
    }, 5000);
})();
