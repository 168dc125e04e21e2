"""Bank accounts of the providers and payment runs for the city's treasury."""
