"""GET @demo-info: the greeting, the add-on's name and the site's title as JSON."""

from plone import api
from plone.restapi.services import Service

from plonedev_demo import greeting


class DemoInfoGet(Service):
    def reply(self) -> dict[str, str]:
        # Read through the module at call time, so a reloaded greeting.py shows at once.
        return {
            "greeting": greeting.GREETING,
            "addon": "plonedev-demo",
            "site_title": api.portal.get().Title(),
        }
