"""The switch and its log: each browser's choice (in its Django session) and what was served.

``choice`` reads and saves the switch; ``log`` keeps the served requests and the
pages the toolbar ran for; ``shared_cache`` and ``cache_stores`` let every
worker process share both through a Django cache (``NOCACHE_PANEL["CACHE"]``).
"""
