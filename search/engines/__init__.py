"""Search engines behind one interface. Nothing outside search/ imports an engine module."""
