"""Serving: static and media files with the switch's caching semantics, for every entry point.

The entry points (``middleware``, ``views.serve``, the runserver handlers) find
the mount (``mounts``), read the switch once, and hand over to ``core``, which
answers from the file's stat with headers built once per file version
(``headers``) and logs the request once.
"""
