// The No-cache panel: the switch, the live table, and the files the browser never asked for.
// Loaded as a module (once per page), from the panel's title bar on toolbars that have one,
// and with the panel's content otherwise. Works inside the toolbar's shadow DOM.

const PANEL_ID = "NoCachePanel";
const POLL_MS = 2000;
const MAX_POLL_MS = 30000; // while the server is away (runserver's autoreload), ask less often

// The endpoints come with this module's own URL, written by the panel's Python code:
// never from the page, where markup that merely looks like the toolbar could name others.
const ENDPOINTS = (() => {
    const query = new URL(import.meta.url).searchParams;
    return {
        toggle: sameOrigin(query.get("toggle")),
        records: sameOrigin(query.get("records")),
        css: sameOrigin(query.get("css")),
    };
})();

function sameOrigin(value) {
    if (!value) {
        return null;
    }
    const url = new URL(value, location.href);
    return url.origin === location.origin ? url : null;
}

// The toolbar's own element. With the shadow DOM it is inside #djDebugRoot's shadow root,
// which page markup cannot create; without it, the toolbar is the last #djDebug, inserted
// after everything the page holds.
function debugElement() {
    for (const host of document.querySelectorAll("#djDebugRoot")) {
        const inner = host.shadowRoot?.querySelector("#djDebug");
        if (inner) {
            return inner;
        }
    }
    const candidates = document.querySelectorAll("#djDebug");
    return candidates[candidates.length - 1] ?? null;
}

// Toolbar 8 renders the stylesheet's <link> with the page, nonce and all. Older toolbars
// render the panel's content in a later request, whose CSP nonce is not the page's: the
// stylesheet then comes from here, with the nonce the toolbar's own script was given.
function ensureStylesheet() {
    const root = debugElement();
    if (!root || !ENDPOINTS.css || root.querySelector(`link[href="${ENDPOINTS.css.pathname}"]`)) {
        return;
    }
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = ENDPOINTS.css.pathname;
    const toolbarScript = document.querySelector('script[src*="debug_toolbar/js/toolbar.js"]');
    if (toolbarScript?.nonce) {
        link.nonce = toolbarScript.nonce;
    }
    root.prepend(link);
}

function panel() {
    return debugElement()?.querySelector(`#${PANEL_ID}`) ?? null;
}

// The switch's wrapper: the page visit it describes and the file prefixes.
function settingsElement() {
    return panel()?.querySelector(".djdt-nocache-bar") ?? null;
}

function pageVisit() {
    const el = settingsElement();
    return el ? { url: el.dataset.nocachePageUrl, since: el.dataset.nocacheSince } : null;
}

async function getJSON(url, options = {}) {
    const response = await fetch(url, { credentials: "same-origin", ...options });
    const data = await response.json().catch(() => ({}));
    return { ok: response.ok, status: response.status, data };
}

function setStatus(text) {
    for (const el of panel()?.querySelectorAll(".djdt-nocache-status") ?? []) {
        el.textContent = text;
    }
}

function setSubtitle(text) {
    const small = debugElement()?.querySelector(`#djdt-${PANEL_ID} small`);
    if (small) {
        small.textContent = text;
    }
}

// What the script says, translated on the server into the toolbar's language.
function say(key, values = {}) {
    let strings = {};
    try {
        strings = JSON.parse(settingsElement()?.dataset.nocacheStrings ?? "{}");
    } catch {
        // an unreadable attribute: fall back to the key
    }
    const text = strings[key] ?? key;
    return text.replace(/%\((\w+)\)s/g, (match, name) => String(values[name] ?? match));
}

function prefixes() {
    return (settingsElement()?.dataset.nocachePrefixes ?? "").split(" ").filter(Boolean);
}

// A same-origin URL under the static or media prefixes, as "path?query"; else null.
function pagePath(value, base = location.href) {
    let url;
    try {
        url = new URL(value, base);
    } catch {
        return null;
    }
    if (url.origin !== location.origin || !prefixes().some((p) => url.pathname.startsWith(p))) {
        return null;
    }
    return url.pathname + url.search;
}

// The documents whose files the page shows: the page, and the toolbar's shadow root.
function documentsShown() {
    const roots = [document];
    for (const host of document.querySelectorAll("#djDebugRoot")) {
        if (host.shadowRoot) {
            roots.push(host.shadowRoot);
        }
    }
    return roots;
}

const ELEMENT_URLS = [
    ["img", (el) => [el.currentSrc || el.src]],
    ["link[rel~=stylesheet], link[rel~=icon], link[rel=preload]", (el) => [el.href]],
    ["script[src]", (el) => [el.src]],
    ["video, audio", (el) => [el.currentSrc || el.src, el.poster]],
    ["source[src]", (el) => [el.src]],
    ["input[type=image]", (el) => [el.src]],
];

// url(...) in a stylesheet's rules that the page uses now: rules whose selector
// matches an element (a :hover background waits until it is needed), fonts the page
// loaded, imported sheets. Nested and imported rules included.
const CSS_URL = /url\(\s*(['"]?)([^'")]+)\1\s*\)/g;

function ruleIsUsed(rule, root) {
    if (rule.selectorText) {
        try {
            return root.querySelector(rule.selectorText) !== null;
        } catch {
            return false; // a selector this engine cannot match
        }
    }
    if (rule.constructor.name === "CSSFontFaceRule") {
        const family = rule.style.getPropertyValue("font-family").replace(/^["']|["']$/g, "");
        return [...document.fonts].some((f) => f.family === family && f.status === "loaded");
    }
    return false;
}

// ``base``: the URL the sheet's relative url()s resolve against (a nested rule has none).
function stylesheetUrls(sheet, root, found, depth = 0, base = sheet.href || location.href) {
    let rules;
    try {
        rules = sheet.cssRules; // another origin's sheet cannot be read
    } catch {
        return;
    }
    for (const rule of rules ?? []) {
        if (rule.styleSheet && depth < 8) {
            found.push([rule.href, base]);
            stylesheetUrls(rule.styleSheet, root, found, depth + 1);
        } else if (rule.cssRules?.length && depth < 8) {
            stylesheetUrls(rule, root, found, depth + 1, base);
        }
        if (ruleIsUsed(rule, root)) {
            for (const match of rule.style.cssText.matchAll(CSS_URL)) {
                found.push([match[2], base]);
            }
        }
    }
}

// Every static and media file the page uses, by path: how the page knows of it.
// Resource timing misses what an engine takes from a memory cache (Firefox's images),
// so the DOM and the stylesheets are read too. "style": a url() in a stylesheet,
// listed only once the server or the browser's cache knows it.
function pageFiles() {
    const files = new Map();
    const add = (value, seen, base) => {
        const path = value ? pagePath(value, base) : null;
        if (path && (!files.has(path) || files.get(path) === "style")) {
            files.set(path, seen);
        }
    };
    for (const entry of performance.getEntriesByType("resource")) {
        add(entry.name, "timing");
    }
    for (const root of documentsShown()) {
        for (const [selector, urls] of ELEMENT_URLS) {
            for (const el of root.querySelectorAll(selector)) {
                for (const url of urls(el)) {
                    add(url, "element");
                }
            }
        }
        const found = [];
        for (const sheet of [...root.styleSheets, ...(root.adoptedStyleSheets ?? [])]) {
            stylesheetUrls(sheet, root, found);
        }
        for (const [url, base] of found) {
            add(url, "style", base);
        }
    }
    return files;
}

function isCurrentPage(visit) {
    return visit && visit.url === location.pathname + location.search;
}

// The copies the browser held of files the server was not asked for, read once per
// document: WebKit re-downloads a file on the next reload once a script has read it,
// and a page restored from the back/forward cache shows what it held when it loaded,
// not what a later page put in the cache.
const heldCopies = new Map();

async function readHeldCopies(paths) {
    const unread = paths.filter((path) => !heldCopies.has(path));
    const copies = await Promise.all(unread.map((path) => heldCopy(path)));
    unread.forEach((path, index) => heldCopies.set(path, copies[index]));
    return unread.length;
}

function browserFiles(files) {
    return [...files].map(([path, seen]) => ({ path, seen, copy: heldCopies.get(path) ?? null }));
}

function replaceIfChanged(container, html) {
    const incoming = document.createElement("template");
    incoming.innerHTML = html;
    const current = document.createElement("template");
    current.innerHTML = container.innerHTML;
    if (!current.content.isEqualNode(incoming.content)) {
        container.replaceChildren(incoming.content);
    }
}

// Swap in only the rows that changed, so that a poll leaves a text selection or a
// hovered row alone unless that row itself changed. The rows are the panel's own
// endpoint's HTML, escaped on the server.
function updateRows(rows, html) {
    const incoming = document.createElement("template");
    incoming.innerHTML = html;
    const fresh = [...incoming.content.children];
    const current = [...rows.children];
    fresh.forEach((row, index) => {
        const old = current[index];
        if (!old) {
            rows.append(row);
        } else if (!old.isEqualNode(row)) {
            old.replaceWith(row);
        }
    });
    for (const extra of current.slice(fresh.length)) {
        extra.remove();
    }
}

let failedPolls = 0;
let lastStale = []; // the files the last answer called stale: {path, version}
let refreshing = null;

// One request at a time: a slow server must not pile polls up. The rows and the
// summary are the panel's own endpoint's HTML, escaped on the server.
function refresh() {
    refreshing ??= loadRows().finally(() => {
        refreshing = null;
    });
    return refreshing;
}

async function loadRows() {
    const visit = pageVisit();
    if (!ENDPOINTS.records || !visit) {
        return;
    }
    const url = new URL(ENDPOINTS.records);
    url.searchParams.set("url", visit.url);
    url.searchParams.set("since", visit.since);
    const files = isCurrentPage(visit) ? pageFiles() : new Map();
    const ask = () =>
        getJSON(url, { method: "POST", body: JSON.stringify(browserFiles(files)) });
    let answer;
    try {
        answer = await ask();
        // Only the files the server was not asked for are read from the cache.
        if (answer.ok && (await readHeldCopies(answer.data.unlogged ?? [])) > 0) {
            answer = await ask();
        }
    } catch {
        answer = { ok: false };
    }
    if (!answer.ok || typeof answer.data.rows !== "string") {
        failedPolls += 1;
        return;
    }
    failedPolls = 0;
    setSubtitle(answer.data.subtitle);
    const root = panel();
    const summary = root?.querySelector(".djdt-nocache-summary");
    if (summary) {
        replaceIfChanged(summary, answer.data.summary);
    }
    for (const [selector, html] of [
        [".djdt-nocache-rows", answer.data.rows],
        [".djdt-nocache-tooling-rows", answer.data.tooling_rows],
    ]) {
        const rows = root?.querySelector(selector);
        if (rows) {
            updateRows(rows, html);
        }
    }
    lastStale = answer.data.stale;
    // For tests, the project's and ours: how many answers the table has taken in.
    const table = root?.querySelector(".djdt-nocache-table");
    if (table) {
        table.dataset.nocacheUpdates = String(Number(table.dataset.nocacheUpdates ?? 0) + 1);
    }
    if (answer.data.enabled && isCurrentPage(visit)) {
        repairStale(answer.data.stale);
    }
}

function absoluteUrls(paths) {
    return paths.map((path) => new URL(path, location.origin).href);
}

// Firefox keeps parsed stylesheets and decoded images in memory and reuses them on a
// plain reload, even once the HTTP cache holds the new copy; its non-standard
// reload(true) loads every file past them. Chromium and WebKit ignore the argument:
// their reload uses the HTTP cache, which the re-fetch has just replaced.
function reloadPastMemoryCaches() {
    location.reload(true);
}

let repairing = false;

// With the switch on, a page that shows stale files (after Back or Forward, or a
// restore from the back/forward cache) gets them replaced, then reloads: once per
// navigation, and once per version of each file on this page, so that a second edit
// is repaired too and a file that cannot be replaced does not loop.
async function repairStale(stale) {
    const key = (file) => `${location.href} ${file.path} ${file.version}`;
    const tried = new Set(JSON.parse(sessionStorage.getItem("nocache-panel-repairs") ?? "[]"));
    const fresh = stale.filter((file) => !tried.has(key(file)));
    if (repairing || fresh.length === 0) {
        return;
    }
    repairing = true;
    const remembered = [...tried, ...fresh.map(key)].slice(-200);
    sessionStorage.setItem("nocache-panel-repairs", JSON.stringify(remembered));
    setStatus(say("stale", { count: stale.length }));
    await refetch(absoluteUrls(stale.map((file) => file.path)));
    reloadPastMemoryCaches();
}

async function refetchStale() {
    await refetch(absoluteUrls(lastStale.map((file) => file.path)));
    reloadPastMemoryCaches();
}

// A service worker answers from caches of its own, before the browser's cache.
function showServiceWorker() {
    const notice = panel()?.querySelector(".djdt-nocache-serviceworker");
    notice?.classList.toggle("djdt-hidden", !navigator.serviceWorker?.controller);
}

async function unregisterServiceWorkers() {
    const registrations = (await navigator.serviceWorker?.getRegistrations()) ?? [];
    await Promise.all(registrations.map((registration) => registration.unregister()));
    location.reload();
}

// Replace each cached copy: a plain reload would keep using copies the browser
// considers fresh, since it never asks the server about them. The header makes
// every server process read the switch afresh rather than from its memo.
async function refetchPageFiles() {
    const urls = absoluteUrls([...pageFiles().keys()]);
    await refetch(urls);
    return urls.length;
}

// Replace the given copies in the browser's cache.
function refetch(urls) {
    const headers = { "X-NoCache-Refetch": "1" };
    return Promise.allSettled(
        urls.map((url) => fetch(url, { cache: "reload", credentials: "same-origin", headers }))
    );
}

// The copy of a file the browser holds (read without a request), or null if it holds none.
async function heldCopy(path) {
    try {
        const response = await fetch(path, { cache: "only-if-cached", mode: "same-origin" });
        const header = (name) => response.headers.get(name) ?? undefined;
        return {
            etag: header("ETag"),
            last_modified: header("Last-Modified"),
            content_length: header("Content-Length"),
            cache_control: header("Cache-Control"),
            expires: header("Expires"),
            date: header("Date"),
        };
    } catch {
        return null;
    }
}

// A fresh token for each flip: the GET also sets the CSRF cookie, which a page
// rendered with the toolbar's middleware before CsrfViewMiddleware never got.
async function saveChoice(enable) {
    const token = await getJSON(ENDPOINTS.toggle);
    if (!token.ok) {
        return token;
    }
    const body = new FormData();
    body.append("enabled", enable ? "1" : "0");
    return getJSON(ENDPOINTS.toggle, {
        method: "POST",
        body,
        headers: { "X-CSRFToken": token.data.csrf },
    });
}

async function toggle(button) {
    const enable = button.getAttribute("aria-checked") !== "true";
    button.disabled = true;
    try {
        let answer;
        try {
            answer = await saveChoice(enable);
        } catch {
            setStatus(say("noAnswer"));
            return;
        }
        if (!answer.ok) {
            setStatus(answer.data.error ?? say("refused", { status: answer.status }));
            return;
        }
        for (const el of panel().querySelectorAll("[role=switch]")) {
            el.setAttribute("aria-checked", String(answer.data.enabled));
        }
        setSubtitle(answer.data.subtitle);
        if (answer.data.enabled) {
            setStatus(say("refetching"));
            const refetched = await refetchPageFiles();
            setStatus(say("refetched", { count: refetched }));
            reloadPastMemoryCaches();
        } else {
            setStatus(say("off"));
            refresh(); // the side bar count, in the new state
        }
    } finally {
        button.disabled = false;
    }
}

// Switches arrive disabled, so that a click before this script runs is not lost
// silently; enable each once the click handler is in place.
function armSwitches() {
    if (!ENDPOINTS.toggle) {
        return;
    }
    for (const button of panel()?.querySelectorAll("[data-nocache-arm]") ?? []) {
        button.removeAttribute("data-nocache-arm");
        button.disabled = false;
    }
}

const ACTIONS = {
    ".djdt-nocache-switch": toggle,
    ".djdt-nocache-refetch": refetchStale,
    ".djdt-nocache-unregister": unregisterServiceWorkers,
};

function onClick(event) {
    const root = panel();
    for (const [selector, action] of Object.entries(ACTIONS)) {
        const button = event
            .composedPath()
            .find((el) => el instanceof Element && el.matches(selector));
        if (button && root?.contains(button) && !button.disabled) {
            event.preventDefault();
            action(button);
            return;
        }
    }
}

function panelIsOpen() {
    const el = panel();
    return Boolean(el && !el.classList.contains("djdt-hidden"));
}

// Poll while the panel is open; back off while requests fail.
function schedulePoll() {
    const delay = Math.min(POLL_MS * 2 ** failedPolls, MAX_POLL_MS);
    setTimeout(async () => {
        if (panelIsOpen()) {
            await refresh();
        }
        schedulePoll();
    }, delay);
}

function start() {
    ensureStylesheet();
    document.addEventListener("click", onClick);
    armSwitches();
    debugElement()?.addEventListener("djdt.panel.render", (event) => {
        if (event.detail?.panelId === PANEL_ID) {
            armSwitches();
            showServiceWorker();
            refresh();
        }
    });
    // Files keep arriving after the page: refresh the side bar count once they
    // are in, and the table for as long as the panel is open.
    const settle = () => setTimeout(refresh, 300);
    if (document.readyState === "complete") {
        settle();
    } else {
        window.addEventListener("load", settle, { once: true });
    }
    // A page restored from the back/forward cache runs no script again: judge it anew,
    // with the copies it held when it loaded (still in this module's memory).
    window.addEventListener("pageshow", (event) => {
        if (event.persisted) {
            repairing = false;
            refresh();
        }
    });
    schedulePoll();
    showServiceWorker();
    if (panelIsOpen()) {
        refresh();
    }
}

start();
