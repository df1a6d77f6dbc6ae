"""Party-work services: the rules as plain functions, and business events (atomic, audited)."""
