"""Quality flags and the integrity evidence that puts a unit under review."""
