"""The GraphQL client's resource services, one module each."""
