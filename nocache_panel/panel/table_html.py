"""The panel's table and summary as HTML, built directly: 500 template renders are too slow.

Every text passes through ``html.escape`` (what Django's ``escape`` does, without
its lazy-string wrapper), all of a table's in one call. Rows carry the documented
contract: ``data-nocache-path``, ``data-nocache-status`` and ``data-nocache-state``.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape

from django.utils.safestring import SafeString, mark_safe

from .freshness import describe_duration
from .report import PageReport, Row
from .translations import gettext as _
from .translations import ngettext


def _row(row: Row, escaped: tuple[str, ...]) -> str:
    """One row, from its texts escaped (``_texts``' order)."""
    path, status, answer, details, browser, disk, verdict = escaped
    state = row.verdict.state
    answer = f"<small>{answer}</small>" if answer else ""
    details = f'<div class="djdt-nocache-details">{details}</div>' if details else ""
    return (
        f'<tr class="djdt-nocache-{state}" data-nocache-path="{path}" '
        f'data-nocache-status="{status}" data-nocache-state="{state}">'
        f'<td class="djdt-nocache-file"><code title="{path}">{path}</code>{details}</td>'
        f"<td>{f'{status} {answer}' if status else answer or '—'}</td>"
        f"<td>{browser or '—'}</td>"
        f"<td>{disk or '—'}</td>"
        f'<td class="djdt-nocache-verdict">{verdict}</td></tr>'
    )


# The summary names this many stale files; past them, a line of names is not read.
SUMMARY_NAMES = 10

# A character no text of a row holds: the rows' texts are escaped in one pass.
_SEPARATOR = "\x00"
_FIELDS = 7


def _escaped_fields(rows: list[Row]) -> Iterator[tuple[str, ...]]:
    """Every row's texts, HTML-escaped, a tuple a row: one ``escape`` over them all."""
    texts = [text for row in rows for text in _texts(row)]
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:
        # A path (sent by a browser) carried one: it must not shift the cells.
        joined = _SEPARATOR.join(text.replace(_SEPARATOR, "") for text in texts)
    escaped = iter(escape(joined).split(_SEPARATOR))
    return zip(*[escaped] * _FIELDS, strict=True)  # groups of _FIELDS, in order


def _texts(row: Row) -> tuple[str, ...]:
    """A row's texts, in the order ``_row`` takes them."""
    return row.path, row.status, row.answer, row.details, row.browser, row.disk, row.verdict.text


def rows_html(rows: list[Row], *, say_when_empty: bool = True) -> SafeString:
    """The rows, or one row saying there is none yet."""
    if not rows:
        if not say_when_empty:
            return mark_safe("")
        empty = escape(_("No static or media files for this page yet."))
        return mark_safe(f'<tr class="djdt-nocache-empty"><td colspan="5">{empty}</td></tr>')
    return mark_safe("".join(map(_row, rows, _escaped_fields(rows))))


def summary_html(report: PageReport) -> SafeString:
    """The line at the top: which files are stale, and the page's one warning."""
    parts = []
    stale = report.stale
    if stale:
        names = ", ".join(row.name for row in stale[:SUMMARY_NAMES])
        if len(stale) > SUMMARY_NAMES:
            more = len(stale) - SUMMARY_NAMES
            names = ngettext(
                "%(names)s and %(count)d more", "%(names)s and %(count)d more", more
            ) % {"names": names, "count": more}
        names = escape(names)
        head = ngettext(
            "%(count)d file is stale in your browser:",
            "%(count)d files are stale in your browser:",
            len(stale),
        ) % {"count": len(stale)}
        button = escape(_("Re-fetch stale files"))
        parts.append(
            f'<p class="djdt-nocache-alert" role="alert"><strong>{escape(head)}</strong> '
            f'{names} <button type="button" class="djdt-nocache-refetch">{button}</button></p>'
        )
    elif report.rows:
        parts.append(
            f'<p class="djdt-nocache-fine">'
            f"{escape(_('No stale files: the browser holds what is on disk.'))}</p>"
        )
    reusable = report.reusable
    if reusable:
        longest = max(row.verdict.reusable_for for row in reusable)
        warning = ngettext(
            "%(count)d file may be reused without asking for up to %(left)s: "
            "an edit to it would not show. Turn no-cache on to have it checked on every use.",
            "%(count)d files may be reused without asking for up to %(left)s: "
            "an edit to them would not show. Turn no-cache on to have them checked on every use.",
            len(reusable),
        ) % {"count": len(reusable), "left": describe_duration(longest)}
        parts.append(f'<p class="djdt-nocache-warning">{escape(warning)}</p>')
    return mark_safe("".join(parts))


def table_html(report: PageReport) -> dict[str, SafeString]:
    """The panel's table, as both its first render and each poll of the feed send it."""
    return {
        "summary": summary_html(report),
        "rows": rows_html(report.rows),
        "tooling_rows": rows_html(report.tooling, say_when_empty=False),
    }
