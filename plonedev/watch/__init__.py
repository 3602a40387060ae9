"""Keep running services in step with the code: watch files, batch, decide, act.

source.FileWatcher turns watchfiles' notify events into filtered FileChanges;
debounce.Batcher groups them behind a quiet period (injected clock); rules.plan folds a
batch into at most one Action per service; executor.Executor carries the actions out
against the runtime; loop.run_loop ties them together and reports one line per action.
plonedev.commands.watch is `plonedev watch` for a project directory, with the runtime
and workspace its runtime gives (RuntimeKind.watcher).
"""
