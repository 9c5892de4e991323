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
        versions: sameOrigin(query.get("versions")),
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

// Same-origin resources of this page under the static and media prefixes.
function pageFileEntries() {
    const prefixes = (settingsElement()?.dataset.nocachePrefixes ?? "")
        .split(" ")
        .filter(Boolean);
    return performance.getEntriesByType("resource").filter((entry) => {
        const url = new URL(entry.name, location.href);
        return (
            url.origin === location.origin &&
            prefixes.some((prefix) => url.pathname.startsWith(prefix))
        );
    });
}

function isCurrentPage(visit) {
    return visit && visit.url === location.pathname + location.search;
}

// The page's static and media files as the browser got them in this visit, each with
// the copy it holds now. Chromium reports a transfer size even for files it took from
// its cache on a reload: deliveryType tells them apart where it exists.
async function browserFiles() {
    if (!isCurrentPage(pageVisit())) {
        return [];
    }
    const files = new Map();
    for (const entry of pageFileEntries()) {
        const url = new URL(entry.name, location.href);
        const path = url.pathname + url.search;
        const fromCache =
            entry.deliveryType === "cache" ||
            (entry.transferSize === 0 && entry.decodedBodySize > 0);
        if (!files.has(path)) {
            files.set(path, { path, url: url.href, source: fromCache ? "cache" : "network" });
        }
    }
    return Promise.all(
        [...files.values()].map(async ({ url, ...file }) => ({ ...file, ...(await heldCopy(url)) }))
    );
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
    let answer;
    try {
        const body = JSON.stringify(await browserFiles());
        answer = await getJSON(url, { method: "POST", body });
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
    if (answer.data.enabled && isCurrentPage(visit)) {
        repairStale(answer.data.stale);
    }
}

function staleUrls(paths) {
    return paths.map((path) => new URL(path, location.origin).href);
}

// With the switch on, a page that shows stale files gets them replaced, then reloads;
// once per set of files, so that a file that cannot be replaced does not loop.
async function repairStale(paths) {
    const attempt = `${location.href} ${paths.join(" ")}`;
    if (paths.length === 0 || sessionStorage.getItem("nocache-panel-repair") === attempt) {
        return;
    }
    sessionStorage.setItem("nocache-panel-repair", attempt);
    setStatus(say("stale", { count: paths.length }));
    await refetch(staleUrls(paths));
    location.reload();
}

async function refetchStale() {
    const rows = panel()?.querySelectorAll('.djdt-nocache-rows tr[data-nocache-state="stale"]');
    const paths = [...(rows ?? [])].map((row) => row.dataset.nocachePath);
    await refetch(staleUrls(paths));
    location.reload();
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
    const urls = [...new Set(pageFileEntries().map((entry) => entry.name))];
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
async function heldCopy(url) {
    try {
        const response = await fetch(url, { cache: "only-if-cached", mode: "same-origin" });
        const header = (name) => response.headers.get(name) ?? undefined;
        return {
            etag: header("ETag"),
            last_modified: header("Last-Modified"),
            cache_control: header("Cache-Control"),
            expires: header("Expires"),
            date: header("Date"),
        };
    } catch {
        return null;
    }
}

function isStale(held, current) {
    if (!held || !current) {
        return false;
    }
    return held.etag ? held.etag !== current.etag : held.last_modified !== current.last_modified;
}

// Back and Forward take a page's files from the cache without asking, even ones served
// with no-cache. With the switch on, compare what the browser holds with the files on
// disk, replace the copies that differ, and reload once (a reload revalidates).
async function repairHistoryNavigation() {
    const urls = [...new Set(pageFileEntries().map((entry) => entry.name))];
    if (!ENDPOINTS.versions || urls.length === 0) {
        return;
    }
    const query = new URL(ENDPOINTS.versions);
    for (const url of urls) {
        query.searchParams.append("path", new URL(url).pathname);
    }
    let answer;
    try {
        answer = await getJSON(query);
    } catch {
        return;
    }
    if (!answer.ok || !answer.data.enabled) {
        return;
    }
    const held = await Promise.all(urls.map(heldCopy));
    const stale = urls.filter((url, index) =>
        isStale(held[index], answer.data.versions[new URL(url).pathname])
    );
    if (stale.length > 0) {
        setStatus(say("history", { count: stale.length }));
        await refetch(stale);
        location.reload();
    }
}

function isHistoryNavigation() {
    return performance.getEntriesByType("navigation")[0]?.type === "back_forward";
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
            location.reload();
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
    const settle = () =>
        setTimeout(() => {
            refresh();
            if (isHistoryNavigation()) {
                repairHistoryNavigation();
            }
        }, 300);
    if (document.readyState === "complete") {
        settle();
    } else {
        window.addEventListener("load", settle, { once: true });
    }
    // A page restored from the back/forward cache runs no script again.
    window.addEventListener("pageshow", (event) => {
        if (event.persisted) {
            repairHistoryNavigation();
        }
    });
    schedulePoll();
    showServiceWorker();
    if (panelIsOpen()) {
        refresh();
    }
}

start();
