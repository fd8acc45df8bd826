"""End-to-end federation suite: cases (subgraphs + queries) checked against Apollo's gateway as the oracle."""
