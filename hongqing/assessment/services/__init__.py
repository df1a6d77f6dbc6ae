"""Assessment services: the catalogue, values, rollups, aggregates, scoring, responsibility lists."""
