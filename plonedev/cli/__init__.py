"""The Typer command line: parse, call a use case, render its result. No logic here."""
