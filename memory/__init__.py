"""clipwise memory package."""
