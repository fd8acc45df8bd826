"""Operation shape limits (depth, height, aliases, root fields, parser tokens)."""
