"""plonedev-demo: a small Plone add-on that plonedev runs to show code changes taking effect."""
