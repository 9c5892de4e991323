// The No-cache panel: the switch, the live table, and the files the browser never asked for.
// Loaded as a module (once per page), from the panel's title bar on toolbars that have one,
// and with the panel's content otherwise. Works inside the toolbar's shadow DOM.

const PANEL_ID = "NoCachePanel";
const POLL_MS = 2000;
let csrfToken = "";

function debugElement() {
    const root = document.getElementById("djDebugRoot");
    const scope = root?.shadowRoot ?? document;
    return scope.querySelector("#djDebug");
}

function panel() {
    return debugElement()?.querySelector(`#${PANEL_ID}`) ?? null;
}

// The page visit the panel describes: from its title bar, or from its content.
function settingsElement() {
    return panel()?.querySelector("[data-nocache-records-url]") ?? null;
}

function pageVisit() {
    const el = panel()?.querySelector("[data-nocache-page-url]");
    return el ? { url: el.dataset.nocachePageUrl, since: el.dataset.nocacheSince } : null;
}

// No token on the page (the switch came with lazily loaded content): ask for one.
async function fetchCsrfToken(settings) {
    const response = await fetch(settings.dataset.nocacheToggleUrl, {
        credentials: "same-origin",
    });
    return response.ok ? (await response.json()).csrf : "";
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

function stateLabel() {
    const button = panel()?.querySelector("[role=switch]");
    return button?.getAttribute("aria-checked") === "true" ? "on" : "off";
}

function subtitleFor(count) {
    const state = stateLabel();
    if (!count) {
        return state;
    }
    return `${state} · ${count} file${count === 1 ? "" : "s"}`;
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

// Files answered from the browser's cache with no request at all (transfer size 0).
function showNeverAsked(servedPaths) {
    const section = panel()?.querySelector(".djdt-nocache-unasked");
    const visit = pageVisit();
    if (!section || !isCurrentPage(visit)) {
        return;
    }
    const served = new Set(servedPaths);
    const unasked = new Set();
    for (const entry of pageFileEntries()) {
        const url = new URL(entry.name, location.href);
        const path = url.pathname + url.search;
        if (entry.transferSize === 0 && entry.decodedBodySize > 0 && !served.has(path)) {
            unasked.add(path);
        }
    }
    const list = section.querySelector(".djdt-nocache-unasked-list");
    list.replaceChildren(
        ...[...unasked].sort().map((path) => {
            const item = document.createElement("li");
            const code = document.createElement("code");
            code.textContent = path;
            item.append(code, " — from the browser's cache; the server never saw a request");
            return item;
        })
    );
    section.classList.toggle("djdt-hidden", unasked.size === 0);
}

// Swap in only the rows that changed, so that a poll leaves a text selection or a
// hovered row alone unless that row itself changed.
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

async function refresh() {
    const settings = settingsElement();
    const visit = pageVisit();
    if (!settings || !visit) {
        return;
    }
    const url = new URL(settings.dataset.nocacheRecordsUrl, location.href);
    url.searchParams.set("url", visit.url);
    url.searchParams.set("since", visit.since);
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) {
        return;
    }
    const data = await response.json();
    setSubtitle(subtitleFor(data.count));
    const rows = panel()?.querySelector(".djdt-nocache-rows");
    if (rows) {
        updateRows(rows, data.rows);
    }
    showNeverAsked(data.served_paths);
}

// Replace each cached copy: a plain reload would keep using copies the browser
// considers fresh, since it never asks the server about them.
async function refetchPageFiles() {
    const urls = [...new Set(pageFileEntries().map((entry) => entry.name))];
    await Promise.allSettled(
        urls.map((url) => fetch(url, { cache: "reload", credentials: "same-origin" }))
    );
    return urls.length;
}

async function toggle(button) {
    const settings = settingsElement();
    const enable = button.getAttribute("aria-checked") !== "true";
    csrfToken = settings.dataset.nocacheCsrf || csrfToken || (await fetchCsrfToken(settings));
    const body = new FormData();
    body.append("enabled", enable ? "1" : "0");
    button.disabled = true;
    try {
        const response = await fetch(settings.dataset.nocacheToggleUrl, {
            method: "POST",
            body,
            credentials: "same-origin",
            headers: { "X-CSRFToken": csrfToken },
        });
        const data = await response.json().catch(() => ({}));
        if (!response.ok) {
            setStatus(data.error ?? `The switch could not be saved (${response.status}).`);
            return;
        }
        for (const el of panel().querySelectorAll("[role=switch]")) {
            el.setAttribute("aria-checked", String(data.enabled));
        }
        const count = panel().querySelectorAll(".djdt-nocache-rows tr[data-nocache-path]").length;
        setSubtitle(subtitleFor(count));
        if (data.enabled) {
            setStatus("Re-fetching this page's files…");
            const refetched = await refetchPageFiles();
            setStatus(`Re-fetched ${refetched} files; reloading…`);
            location.reload();
        } else {
            setStatus("No-cache is off.");
        }
    } finally {
        button.disabled = false;
    }
}

// Switches arrive disabled, so that a click before this script runs is not lost
// silently; enable each once the click handler is in place.
function armSwitches() {
    for (const button of panel()?.querySelectorAll("[data-nocache-arm]") ?? []) {
        button.removeAttribute("data-nocache-arm");
        button.disabled = false;
    }
}

function onClick(event) {
    const button = event
        .composedPath()
        .find((el) => el instanceof Element && el.matches(".djdt-nocache-switch"));
    if (button && !button.disabled) {
        event.preventDefault();
        toggle(button);
    }
}

function panelIsOpen() {
    const el = panel();
    return Boolean(el && !el.classList.contains("djdt-hidden"));
}

function start() {
    const settings = settingsElement();
    if (settings?.dataset.nocacheCsrf) {
        csrfToken = settings.dataset.nocacheCsrf;
    }
    document.addEventListener("click", onClick);
    armSwitches();
    debugElement()?.addEventListener("djdt.panel.render", (event) => {
        if (event.detail?.panelId === PANEL_ID) {
            armSwitches();
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
    setInterval(() => {
        if (panelIsOpen()) {
            refresh();
        }
    }, POLL_MS);
    if (panelIsOpen()) {
        refresh();
    }
}

start();
