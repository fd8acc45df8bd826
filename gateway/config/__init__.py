"""Gateway configuration: the frozen model, the YAML loader, header rules and the JSON Schema."""

from gateway.config.errors import ConfigError, ConfigIssue
from gateway.config.headers import apply_header_rules
from gateway.config.load import load_config, load_config_text
from gateway.config.model import Config, HeaderRule, Insert, Propagate, Remove

__all__ = [
    "Config",
    "ConfigError",
    "ConfigIssue",
    "HeaderRule",
    "Insert",
    "Propagate",
    "Remove",
    "apply_header_rules",
    "load_config",
    "load_config_text",
]
