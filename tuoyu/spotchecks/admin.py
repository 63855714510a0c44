"""admin of the spotchecks app."""
