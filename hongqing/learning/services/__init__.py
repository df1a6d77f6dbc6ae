"""Business events and rules of the learning app (plain functions, atomic, audited)."""
