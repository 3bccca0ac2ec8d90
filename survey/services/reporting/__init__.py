"""What the results pages read: counts in SQL and tallies, figures, exports."""
