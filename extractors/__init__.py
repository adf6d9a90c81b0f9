"""See design.md: layout."""
