"""Buffer's GraphQL API (``api.buffer.com``): the schema the SDK is written against.

``schema.graphql`` beside this file is the one SDL the project keeps, reconciled
from Buffer's reference, its official CLI and an introspected schema (its
opening comment says what came from where). The tests validate every document
the SDK sends against it, and the sandbox executes it.
"""
