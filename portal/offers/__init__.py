"""Offers (Angebote, Maßnahmen, Arbeitsgelegenheiten), their work sites and revisions."""
