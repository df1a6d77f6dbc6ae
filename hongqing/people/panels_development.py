"""What member development adds to pages: the timeline, the branch pipeline, the menu."""
