// Which stale files to repair: once per navigation, and once per version of each file
// on a page, so that a second edit is repaired too and a file that cannot be replaced
// does not loop.

export const REPAIRS_KEY = "nocache-panel-repairs";
const REMEMBERED = 200;

export function repairKey(href, file) {
    return `${href} ${file.path} ${file.version}`;
}

// The stale files not yet tried at this address, and what to remember once they are.
export function toRepair(stale, tried, href) {
    const fresh = stale.filter((file) => !tried.includes(repairKey(href, file)));
    const remember = [...tried, ...fresh.map((file) => repairKey(href, file))].slice(-REMEMBERED);
    return { fresh, remember };
}

export function triedRepairs(storage) {
    try {
        const tried = JSON.parse(storage.getItem(REPAIRS_KEY) ?? "[]");
        return Array.isArray(tried) ? tried : [];
    } catch {
        return [];
    }
}
