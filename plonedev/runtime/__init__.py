"""Runtimes run the service model: local processes, or Docker Compose services."""
