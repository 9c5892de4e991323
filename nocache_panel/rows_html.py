"""The table rows as HTML, built directly: 500 template renders are too slow for the panel.

Every value passes through ``html.escape`` (what Django's ``escape`` does, without
its lazy-string wrapper on each call).
"""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .report import PageReport, Row


def _labelled(label: str, value: str, code: bool = False) -> str:
    if not value:
        return ""
    shown = f"<code>{escape(value)}</code>" if code else escape(value)
    return f"<div><small>{label}</small> {shown}</div>"


def _row(row: Row) -> str:
    classes = []
    if row.verdict.attention:
        classes.append("djdt-nocache-attention")
    if row.tooling:
        classes.append("djdt-nocache-tooling")
    url = escape(row.url)
    method = "" if row.method == "GET" else f" <small>{escape(row.method)}</small>"
    received = _labelled("ETag", row.etag, code=True) + _labelled(
        "Last-Modified", row.last_modified
    )
    sent = _labelled("If-None-Match", row.if_none_match, code=True) + _labelled(
        "If-Modified-Since", row.if_modified_since
    )
    mark = "⚠ " if row.verdict.attention else ""
    return (
        f'<tr class="{" ".join(classes)}" data-nocache-path="{url}"><td>{row.status}</td>'
        f'<td class="djdt-nocache-url"><code>{url}</code>{method}</td>'
        f"<td>{escape(row.cache_control) or '—'}</td><td>{received}</td><td>{sent or '—'}</td>"
        f"<td>{escape(row.mtime)}<br><small>{escape(row.size)}</small></td>"
        f'<td class="djdt-nocache-verdict">{mark}{escape(str(row.verdict.text))}</td></tr>'
    )


def rows_html(report: PageReport) -> SafeString:
    """Every row of the report, or one row saying there is none yet."""
    if not report.rows:
        empty = escape(_("No static or media requests recorded for this page yet."))
        return mark_safe(f'<tr class="djdt-nocache-empty"><td colspan="7">{empty}</td></tr>')
    return mark_safe("".join(_row(row) for row in report.rows))
