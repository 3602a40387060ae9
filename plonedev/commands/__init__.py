"""Use cases, one per module: typed inputs, a result out, never printing."""
