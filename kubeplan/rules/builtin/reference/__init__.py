"""Cross-resource references: what one object names must exist, and selectors must select."""
