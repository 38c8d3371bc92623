# Keras saves AUC's label_weights in a form load_model cannot read: the model would not load.
input x: float32[8]

output tags = x -> Dense(3, activation="sigmoid")
    loss binary_crossentropy
    metrics [auc(multi_label=True, label_weights=(1.0, 2.0, 1.0))]
