// Swapping the server's HTML into the panel without disturbing what did not change.

export function replaceIfChanged(container, html) {
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
export function updateRows(rows, html) {
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
