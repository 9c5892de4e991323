// Which files the page uses: the decision, apart from the toolbar's DOM.

// A same-origin URL under one of the prefixes, as "path?query"; else null.
export function pagePath(value, prefixes, base = location.href) {
    let url;
    try {
        url = new URL(value, base);
    } catch {
        return null;
    }
    if (url.origin !== location.origin || !prefixes.some((p) => url.pathname.startsWith(p))) {
        return null;
    }
    return url.pathname + url.search;
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

// Every static and media file the documents use, by path: how the page knows of it.
// Resource timing misses what an engine takes from a memory cache (Firefox's images),
// so the DOM and the stylesheets are read too. "style": a url() in a stylesheet,
// listed only once the server or the browser's cache knows it.
export function pageFiles(roots, prefixes) {
    const files = new Map();
    const add = (value, seen, base) => {
        const path = value ? pagePath(value, prefixes, base) : null;
        if (path && (!files.has(path) || files.get(path) === "style")) {
            files.set(path, seen);
        }
    };
    for (const entry of performance.getEntriesByType("resource")) {
        add(entry.name, "timing");
    }
    for (const root of roots) {
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

// The feed's body: each file, how it was seen, and the copy the browser holds, if read.
export function browserFiles(files, copies) {
    return [...files].map(([path, seen]) => ({ path, seen, copy: copies.get(path) ?? null }));
}
