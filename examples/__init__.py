"""An example partner app built on stock third-party clients."""
