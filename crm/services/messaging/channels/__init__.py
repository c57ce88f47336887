"""Messaging channels: 企业微信 / 钉钉 group robots hear subscribed events (formats, robots,
deliveries)."""
