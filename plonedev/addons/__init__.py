"""Adding and removing a project's add-ons: the config edits, the transaction that undoes
them, the backend environment they are installed into, and the site's @addons service.

The use cases themselves live in plonedev.commands (add_addon, remove_addon, addons).
Importing this package loads nothing heavy: each module is imported where it is used.
"""
