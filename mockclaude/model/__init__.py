"""Layer 0: the vocabulary shared by every stage (wire models, errors, decided replies, catalog)."""
