"""Between the commands and the runtimes: open a project (config, paths, model, runtime)
and prepare what a runtime needs before its `up` (sources, environment, files)."""
