"""Layer 2: the prompt-cache simulator."""
