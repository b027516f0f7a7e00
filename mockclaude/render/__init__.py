"""Layer 3: lay a decided reply out as Message JSON or as the ordered SSE events. Decides nothing."""
