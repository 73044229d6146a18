"""AI product analytics on RudderStack events: demo data and command-line tools."""

__version__ = "0.1.0"
