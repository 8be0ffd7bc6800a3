"""mlfcore.scaffold: the host-side CLI `mlf-scaffold` (project templates and publishing)."""
