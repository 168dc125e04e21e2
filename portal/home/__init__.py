"""The portal's start page: what is waiting for the signed-in user, gathered from every domain."""
