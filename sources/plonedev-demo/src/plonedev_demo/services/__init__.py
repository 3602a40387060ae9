"""plone.restapi services of plonedev-demo."""
