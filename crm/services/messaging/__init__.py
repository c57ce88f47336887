"""Telling people: mail, in-app notifications, and the outbox that queues jobs after commit."""
