"""A project: `mlf-scaffold new`, `list`, `info`, `bump-version` and `upgrade` render one and keep it current.

One module per command (new.py, listing.py, bump.py, upgrade.py); the rest are the parts they share: names.py
(what a project may be called), toolkit.py (this toolkit's images and pins), base_image.py (the `FROM` reference),
frameworks.py (the framework overlays under templates/frameworks/), answers.py (options and prompts), render.py
(templates to files, all or nothing), project_files.py (reading and rewriting an existing project).
"""
