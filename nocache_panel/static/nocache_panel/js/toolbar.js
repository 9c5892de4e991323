// The panel's place in the toolbar: trusted lookups, and what the panel shows.

export const PANEL_ID = "NoCachePanel";

// The toolbar's own element. With the shadow DOM it is inside #djDebugRoot's shadow root,
// which page markup cannot create; without it, the toolbar is the last #djDebug, inserted
// after everything the page holds.
export function debugElement() {
    for (const host of document.querySelectorAll("#djDebugRoot")) {
        const inner = host.shadowRoot?.querySelector("#djDebug");
        if (inner) {
            return inner;
        }
    }
    const candidates = document.querySelectorAll("#djDebug");
    return candidates[candidates.length - 1] ?? null;
}

// The documents whose files the page shows: the page, and the toolbar's shadow root.
export function documentsShown() {
    const roots = [document];
    for (const host of document.querySelectorAll("#djDebugRoot")) {
        if (host.shadowRoot) {
            roots.push(host.shadowRoot);
        }
    }
    return roots;
}

// Toolbar 8 renders the stylesheet's <link> with the page, nonce and all. Older toolbars
// render the panel's content in a later request, whose CSP nonce is not the page's: the
// stylesheet then comes from here, with the nonce the toolbar's own script was given.
export function ensureStylesheet(css) {
    const root = debugElement();
    if (!root || !css || root.querySelector(`link[href="${css.pathname}"]`)) {
        return;
    }
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = css.pathname;
    const toolbarScript = document.querySelector('script[src*="debug_toolbar/js/toolbar.js"]');
    if (toolbarScript?.nonce) {
        link.nonce = toolbarScript.nonce;
    }
    root.prepend(link);
}

export function panel() {
    return debugElement()?.querySelector(`#${PANEL_ID}`) ?? null;
}

export function panelIsOpen() {
    const el = panel();
    return Boolean(el && !el.classList.contains("djdt-hidden"));
}

// The switch's wrapper: the page visit it describes and the file prefixes.
function settingsElement() {
    return panel()?.querySelector(".djdt-nocache-bar") ?? null;
}

export function pageVisit() {
    const el = settingsElement();
    return el ? { url: el.dataset.nocachePageUrl, since: el.dataset.nocacheSince } : null;
}

export function isCurrentPage(visit) {
    return Boolean(visit) && visit.url === location.pathname + location.search;
}

export function prefixes() {
    return (settingsElement()?.dataset.nocachePrefixes ?? "").split(" ").filter(Boolean);
}

export function setStatus(text) {
    for (const el of panel()?.querySelectorAll(".djdt-nocache-status") ?? []) {
        el.textContent = text;
    }
}

export function setSubtitle(text) {
    const small = debugElement()?.querySelector(`#djdt-${PANEL_ID} small`);
    if (small) {
        small.textContent = text;
    }
}

// What the script says, translated on the server into the toolbar's language.
export function say(key, values = {}) {
    let strings = {};
    try {
        strings = JSON.parse(settingsElement()?.dataset.nocacheStrings ?? "{}");
    } catch {
        // an unreadable attribute: fall back to the key
    }
    const text = strings[key] ?? key;
    return text.replace(/%\((\w+)\)s/g, (match, name) => String(values[name] ?? match));
}

// A service worker answers from caches of its own, before the browser's cache.
export function showServiceWorker() {
    const notice = panel()?.querySelector(".djdt-nocache-serviceworker");
    notice?.classList.toggle("djdt-hidden", !navigator.serviceWorker?.controller);
}
