"""What `mlf bench` measures of torch beyond the contract as a whole: the cost of one switch users may relax."""

# mode → (the contract entry relaxed in it, what the ratio against `deterministic` is called)
RELAXED = {"deterministic, no fill": ("torch.utils.deterministic.fill_uninitialized_memory",
                                      "fill_uninitialized_memory")}
