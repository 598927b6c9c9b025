"""clipwise evals package."""
