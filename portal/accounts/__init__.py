"""Users, organisations, roles, login, second factor and invitations."""
