"""The panel: the page's files with a verdict each, and the switch, in the debug toolbar.

``panel`` is the toolbar's ``Panel``; ``endpoints`` answers its script (the
switch's toggle, the table's feed); ``report`` judges the page's files from the
log, the browser's copies (``browser_files``) and the disk (``freshness`` says
how long a copy is reused); ``table_html`` renders the rows.
"""

from .panel import NoCachePanel

__all__ = ["NoCachePanel"]
