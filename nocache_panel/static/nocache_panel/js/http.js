// Every request the panel's script makes goes through `send`: one error path.

// The response, or null when the server did not answer (down, restarting, offline).
export async function send(url, options = {}) {
    try {
        return await fetch(url, { credentials: "same-origin", ...options });
    } catch {
        return null;
    }
}

// A JSON endpoint's answer: {ok, status, data}; status 0 when the server did not answer.
export async function getJSON(url, options = {}) {
    const response = await send(url, options);
    if (!response) {
        return { ok: false, status: 0, data: {} };
    }
    const data = await response.json().catch(() => ({}));
    return { ok: response.ok, status: response.status, data };
}

export function absoluteUrls(paths) {
    return paths.map((path) => new URL(path, location.origin).href);
}

// Replace the browser's cached copies of these files. The header makes every server
// process read the switch afresh rather than from its memo.
export function refetch(paths) {
    const headers = { "X-NoCache-Refetch": "1" };
    return Promise.all(absoluteUrls(paths).map((url) => send(url, { cache: "reload", headers })));
}

// Firefox keeps parsed stylesheets and decoded images in memory and reuses them on a
// plain reload, even once the HTTP cache holds the new copy; its non-standard
// reload(true) loads every file past them. Chromium and WebKit ignore the argument:
// their reload uses the HTTP cache, which the re-fetch has just replaced.
export async function refetchThenReload(paths, whenFetched = () => {}) {
    await refetch(paths);
    whenFetched(paths.length);
    location.reload(true);
}

// The copy of a file the browser holds (read without a request), or null if it holds none.
export async function heldCopy(path) {
    const response = await send(path, { cache: "only-if-cached", mode: "same-origin" });
    if (!response) {
        return null;
    }
    const header = (name) => response.headers.get(name) ?? undefined;
    return {
        etag: header("ETag"),
        last_modified: header("Last-Modified"),
        content_length: header("Content-Length"),
        cache_control: header("Cache-Control"),
        expires: header("Expires"),
        date: header("Date"),
    };
}
