"""What the gateway reports about itself: Prometheus metrics behind a small facade (see docs/telemetry.md)."""
