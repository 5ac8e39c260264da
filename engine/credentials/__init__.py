"""One module per credential, each mirroring its azure-identity namesake."""
