"""The parts a trained skillner pipeline is made of, registered with spaCy under versioned
names (`skillner.*.v1`, also entry points, so `spacy.load` needs no import): the resume
tokenizer and weight copying (`registry`), gazetteer features (`gazetteer`), mention
replacement (`augment`), skills lists (`sections`), span hygiene (`hygiene`), NER confidence (`confidence`), the
transformer config's functions (`trf`), the label map (`labels`), and loading the shipped
pipeline (`model`).

Imports `taxonomy`; imported by every stage after it.
"""
