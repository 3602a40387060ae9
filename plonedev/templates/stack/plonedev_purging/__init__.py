"""plonedev's purger for the stack's backend: each PURGE to every Varnish task.

Installed by `plonedev build` into the production backend image; the instance's
site.zcml loads overrides.zcml, which puts purger.PURGER in place of plone.cachepurging's.
"""
