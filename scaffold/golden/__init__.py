"""Golden fingerprints: what mlfcore's examples and the scaffold's templates must give on every machine.

- table.py: THE table (fingerprints.toml) of entries and hosts, read and written whole;
- measure.py: trains one entry (venv, image, scaffold project) and returns its fingerprint and sysinfo record;
- check.py: a fingerprint against its golden value, with the sysinfo difference when they differ (the tests);
- record.py: `make golden` (measure, refuse a changed value without a reason) and `make golden-hosts`;
- hosts.py: the machine a record describes, and the records kept beside the table (records/);
- docs.py: docs/PROOF.md, generated from the table.

Host side (`python -m mlfcore.scaffold.golden`), like the rest of mlfcore.scaffold: never in the images.
"""
