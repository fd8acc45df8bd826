"""Cost-based rate limiting: token buckets in Redis (shared) or in memory."""
