"""ESCO and O*NET as skillner uses them: the concept index and alias vocabulary
(`vocabulary`, with the table under `data/`), linking a mention to a concept by alias or by
embedding (`linking`), and where the sentence encoder's weights lie (`encoder`).

Imports nothing from skillner's stages (only `skillner.REPO_ROOT`); imported by `pipeline`
(gazetteer features, augmentation), `measure` and `extract`.
"""
