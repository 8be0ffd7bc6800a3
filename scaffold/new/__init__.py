"""`mlf-scaffold new`, `list`, `info`, `bump-version` and `upgrade`: render a project and keep it current.

One module per command (new.py, listing.py, bump.py, upgrade.py); the rest are the parts they share: names.py
(what a project may be called), toolkit.py (this toolkit's images and pins), base_image.py (the `FROM` reference),
answers.py (options and prompts), render.py (templates to files, all or nothing).
"""
