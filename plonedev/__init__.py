"""plonedev: the local development orchestrator for Plone 6."""

__version__ = "0.1.0"
