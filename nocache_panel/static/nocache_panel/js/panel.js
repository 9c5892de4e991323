// The No-cache panel: the switch, the live table, and the files the browser never asked for.
// Loaded as a module (once per page), from the panel's title bar on toolbars that have one,
// and with the panel's content otherwise. Works inside the toolbar's shadow DOM.
// The modules beside it decide (page_files, repairs) and act (http, rows, toolbar).

import { getJSON, heldCopy, refetchThenReload } from "./http.js";
import { browserFiles, pageFiles } from "./page_files.js";
import { REPAIRS_KEY, toRepair, triedRepairs } from "./repairs.js";
import { replaceIfChanged, updateRows } from "./rows.js";
import {
    debugElement,
    documentsShown,
    ensureStylesheet,
    isCurrentPage,
    PANEL_ID,
    pageVisit,
    panel,
    panelIsOpen,
    prefixes,
    say,
    setStatus,
    setSubtitle,
    showServiceWorker,
} from "./toolbar.js";

const POLL_MS = 2000;
const MAX_POLL_MS = 30000; // while the server is away (runserver's autoreload), ask less often

// The endpoints come with this module's own URL, written by the panel's Python code:
// never from the page, where markup that merely looks like the toolbar could name others.
const ENDPOINTS = (() => {
    const query = new URL(import.meta.url).searchParams;
    const sameOrigin = (value) => {
        const url = value ? new URL(value, location.href) : null;
        return url?.origin === location.origin ? url : null;
    };
    return {
        toggle: sameOrigin(query.get("toggle")),
        records: sameOrigin(query.get("records")),
        css: sameOrigin(query.get("css")),
    };
})();

function currentFiles() {
    return pageFiles(documentsShown(), prefixes());
}

// The copies the browser held of files the server was not asked for, read once per
// document: WebKit re-downloads a file on the next reload once a script has read it,
// and a page restored from the back/forward cache shows what it held when it loaded,
// not what a later page put in the cache.
const heldCopies = new Map();

async function readHeldCopies(paths) {
    const unread = paths.filter((path) => !heldCopies.has(path));
    const copies = await Promise.all(unread.map((path) => heldCopy(path)));
    for (const [index, path] of unread.entries()) {
        heldCopies.set(path, copies[index]);
    }
    return unread.length;
}

let failedPolls = 0;
let lastStale = []; // the files the last answer called stale: {path, version}
let refreshing = null;
let repairing = false;

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
    const files = isCurrentPage(visit) ? currentFiles() : new Map();
    const ask = () =>
        getJSON(url, { method: "POST", body: JSON.stringify(browserFiles(files, heldCopies)) });
    let answer = await ask();
    // Only the files the server was not asked for are read from the cache.
    if (answer.ok && (await readHeldCopies(answer.data.unlogged ?? [])) > 0) {
        answer = await ask();
    }
    if (!answer.ok || typeof answer.data.rows !== "string") {
        failedPolls += 1;
        return;
    }
    failedPolls = 0;
    showAnswer(answer.data);
    lastStale = answer.data.stale;
    if (answer.data.enabled && isCurrentPage(visit)) {
        repairStale(answer.data.stale);
    }
}

function showAnswer(data) {
    setSubtitle(data.subtitle);
    const root = panel();
    const summary = root?.querySelector(".djdt-nocache-summary");
    if (summary) {
        replaceIfChanged(summary, data.summary);
    }
    for (const [selector, html] of [
        [".djdt-nocache-rows", data.rows],
        [".djdt-nocache-tooling-rows", data.tooling_rows],
    ]) {
        const rows = root?.querySelector(selector);
        if (rows) {
            updateRows(rows, html);
        }
    }
    // For tests, the project's and ours: how many answers the table has taken in.
    const table = root?.querySelector(".djdt-nocache-table");
    if (table) {
        table.dataset.nocacheUpdates = String(Number(table.dataset.nocacheUpdates ?? 0) + 1);
    }
}

// With the switch on, a page that shows stale files (after Back or Forward, or a
// restore from the back/forward cache) gets them replaced, then reloads.
async function repairStale(stale) {
    const { fresh, remember } = toRepair(stale, triedRepairs(sessionStorage), location.href);
    if (repairing || fresh.length === 0) {
        return;
    }
    repairing = true;
    sessionStorage.setItem(REPAIRS_KEY, JSON.stringify(remember));
    setStatus(say("stale", { count: stale.length }));
    await refetchThenReload(stale.map((file) => file.path));
}

function refetchStale() {
    return refetchThenReload(lastStale.map((file) => file.path));
}

async function unregisterServiceWorkers() {
    const registrations = (await navigator.serviceWorker?.getRegistrations()) ?? [];
    await Promise.all(registrations.map((registration) => registration.unregister()));
    location.reload();
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
        const answer = await saveChoice(enable);
        if (answer.status === 0) {
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
            // Replace each cached copy: a plain reload would keep using copies the
            // browser considers fresh, since it never asks the server about them.
            setStatus(say("refetching"));
            await refetchThenReload([...currentFiles().keys()], (count) =>
                setStatus(say("refetched", { count })),
            );
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
    ensureStylesheet(ENDPOINTS.css);
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
