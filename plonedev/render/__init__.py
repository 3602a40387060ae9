"""Renderings of the service model: compose/compose.yaml and the files it needs."""
