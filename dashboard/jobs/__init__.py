"""The scheduler and its jobs: thin calls into services."""
