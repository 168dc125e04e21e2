"""Notifications: the outbox, mail texts as templates and their delivery."""
