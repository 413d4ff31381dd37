"""What users run on resumes: reading files of every format (`readers`), skills with their
concepts from a pipeline's output (`mentions`), a folder as a batch here or on Ray (`batch`),
and the HTTP service with its page (`service`).

Imports `runtime`, `taxonomy` and `pipeline`, never `measure`; imported by the CLI.
"""
