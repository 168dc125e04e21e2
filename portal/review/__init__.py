"""Staff review of offers: queue, decisions, four-eyes approval, comments and internal notes."""
