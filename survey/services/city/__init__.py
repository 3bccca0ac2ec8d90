"""The unit tree of the city and the reforms that reshaped it."""
