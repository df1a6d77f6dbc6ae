"""Assessment pages."""
