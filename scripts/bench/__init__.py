"""The read-path benchmark and its helpers; run `python -m scripts.bench.run` from the root."""
