"""The backend: its Python environment (uv), its Zope instance config, its Plone site."""
