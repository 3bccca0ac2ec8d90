"""Field work: service cases, invitation waves, their outbox, phone interviews."""
