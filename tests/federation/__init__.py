"""End-to-end federation suite: cases of subgraphs + queries, checked against Apollo's gateway as the oracle."""
