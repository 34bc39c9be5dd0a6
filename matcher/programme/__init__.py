"""The yearly programme 百会链千企: pairing rounds, service activities, volunteer hours."""
