"""Demand control: static query cost from @cost/@listSize, estimated and actual."""
