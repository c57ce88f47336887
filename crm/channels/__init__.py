"""Messaging channels (消息渠道): the administrator's page for robots and their subscriptions."""
