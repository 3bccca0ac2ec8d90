"""The machine-facing API: JSON in and out, a bearer token per client system."""
