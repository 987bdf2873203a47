"""The compiled read path: an app's query planned once, answered by one SQL statement."""
