"""What a model and its data are worth: span scores with intervals (`evaluate`), the
dictionary baseline (`baseline`), confidence calibration (`calibration`), the model card
(`card`), skills beyond the labels (`generalisation`), linking accuracy (`link_evaluation`),
the learning curve with its fit and price (`curve`), annotation cost (`cost`), annotation
quality (`quality`) and annotators' agreement (`agreement`).

Imports `runtime`, `taxonomy`, `pipeline`, `annotate` and `train`; imported by the CLI only.
"""
