"""One small service class per Buffer resource, reached as attributes of the client."""
