"""One module per public credential, each mirroring its azure-identity namesake; the mechanics they share are in _internal/."""
