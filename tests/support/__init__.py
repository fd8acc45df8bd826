"""Shared test helpers: free ports, process runners and the federated subgraph kit."""
