"""Pages: layout only; they read states and call their events."""
