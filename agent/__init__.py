"""clipwise agent package."""
