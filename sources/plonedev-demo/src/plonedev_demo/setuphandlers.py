"""GenericSetup helpers of plonedev-demo."""

from plone.base.interfaces import INonInstallable
from zope.interface import implementer


@implementer(INonInstallable)
class HiddenProfiles:
    def getNonInstallableProfiles(self) -> list[str]:
        # The uninstall profile is run by the add-ons control panel, never installed.
        return ["plonedev_demo:uninstall"]
