"""Layer 1: the tokenizer behind a small protocol (``encoding.get_counter``), offline by construction."""
