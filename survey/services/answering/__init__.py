"""A citizen's way through a form: the open survey, the response recorded once."""
