"""clipwise tools package."""
