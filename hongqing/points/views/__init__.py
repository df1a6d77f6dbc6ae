"""The points pages, one module per area: the ledger, the catalogue, proposals, volunteering, honours."""
