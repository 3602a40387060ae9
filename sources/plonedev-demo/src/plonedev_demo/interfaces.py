"""Marker interfaces of plonedev-demo."""

from zope.publisher.interfaces.browser import IDefaultBrowserLayer


class IPlonedevDemoLayer(IDefaultBrowserLayer):
    """Browser layer: set on requests in sites where the add-on is installed."""
