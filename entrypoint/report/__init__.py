"""`mlf report`: a reproducibility report a paper can cite, as an RO-Crate.

gather.py reads the runs and the runs that prove them from the tracking store; verdict.py says what the records
prove (never more); checklist.py, rerun.py, compare.py and plot.py derive the evidence, content.py holds it once;
page.py (the HTML page), markdown.py (the short summary) and crate.py (the RO-Crate metadata) show it; folder.py
writes the folder whole or not at all; build.py does it in order; attach.py gives `mlf verify` and `mlf reproduce`
the report of their runs.
"""
