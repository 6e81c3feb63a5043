"""HTTP endpoints beside the Reflex app: vendor webhooks and health."""
