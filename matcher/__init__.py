"""百会链千企 matching service."""
