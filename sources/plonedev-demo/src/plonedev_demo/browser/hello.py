"""@@demo-hello: a plain-text greeting, to see a code change take effect."""

from Products.Five.browser import BrowserView

from plonedev_demo import greeting


class DemoHelloView(BrowserView):
    def __call__(self) -> str:
        self.request.response.setHeader("Content-Type", "text/plain; charset=utf-8")
        # Read through the module at call time, so a reloaded greeting.py shows at once.
        return f"Hello from plonedev-demo: {greeting.GREETING}"
