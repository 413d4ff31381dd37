"""Where work runs: child processes that die with their parent, and joining a Ray cluster.

Shared by `measure` (the learning curve's training runs) and `extract` (readers, the batch);
imports nothing from skillner.
"""
