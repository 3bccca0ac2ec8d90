"""Trust (issue 6): cases in, invitation waves, the invited channel, quality."""
