"""Each runtime plonedev can run a project in, whole: one object per runtime.

kind.RuntimeKind is what a runtime owns (running the services, preparing them, the
add-on environment, data removal, the watcher's workspace, its doctor findings);
native.py and docker.py are the two there are; registry.RUNTIMES lists them once, by
name. Commands ask the registry, never a table of their own: a new runtime (Podman, a
remote engine) is one new module and one line in the registry.
"""
