"""Our images, host side: the table (table.py), the build (build.py), the locks (lock.py), the base's contract ENV
block (contract_env.py), the runtime wheel the base installs (runtime_wheel.py) and the push (push.py).

Run as modules: `python -m mlfcore.scaffold.images.build base`; the Makefile's image targets call them so. What the
images are called and how they are tagged is not decided here but in mlfcore.scaffold.identity.
"""
