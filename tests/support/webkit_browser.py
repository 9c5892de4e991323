#!/usr/bin/python3
"""A WebKitGTK browser with a disk cache, for ``WebKitWebDriver`` to launch.

Debian's MiniBrowser keeps no disk cache under automation (and sends
``only-if-cached`` requests to the server); a person's Safari keeps one. This
browser keeps it in ``NOCACHE_WEBKIT_DATA``. It runs on Debian's own Python,
whose ``python3-gi`` and ``gir1.2-webkit2-4.1`` packages provide the bindings.
"""

import os
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import Gtk, WebKit2  # noqa: E402

NAME = "nocache-webkit"  # the browserName the tests ask WebKitWebDriver for


def main() -> None:
    data = os.environ["NOCACHE_WEBKIT_DATA"]
    manager = WebKit2.WebsiteDataManager(
        base_data_directory=os.path.join(data, "data"),
        base_cache_directory=os.path.join(data, "cache"),
    )
    context = WebKit2.WebContext(website_data_manager=manager)
    context.set_cache_model(WebKit2.CacheModel.WEB_BROWSER)
    context.set_automation_allowed(True)
    windows = []

    def create_web_view(session: WebKit2.AutomationSession) -> WebKit2.WebView:
        view = WebKit2.WebView(web_context=context, is_controlled_by_automation=True)
        window = Gtk.Window()
        window.set_default_size(1366, 900)
        window.add(view)
        window.show_all()
        windows.append(window)
        return view

    def automation_started(
        _context: WebKit2.WebContext, session: WebKit2.AutomationSession
    ) -> None:
        info = WebKit2.ApplicationInfo()
        info.set_name(NAME)
        info.set_version(1, 0, 0)
        session.set_application_info(info)
        session.connect("create-web-view", create_web_view)

    context.connect("automation-started", automation_started)
    Gtk.main()


if __name__ == "__main__" and "--automation" in sys.argv:
    main()
