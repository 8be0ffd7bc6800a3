"""JAX's bundled example (Framework.examples names it; `mlf train` runs it with no project)."""
