"""A django-debug-toolbar panel that shows and fixes stale static and media files."""
