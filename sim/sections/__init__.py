"""One module per section of a scenario, each declaring that section's ``PARAMS``."""
