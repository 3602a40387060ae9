"""Browser views of plonedev-demo."""
