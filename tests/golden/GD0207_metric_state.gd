# args: --max-memory 1G
# AUC keeps four counters per threshold: a billion thresholds is 15 GiB of state.
input x: float32[8]

output spam = x -> Dense(1, activation="sigmoid")
    loss binary_crossentropy
    metrics [auc(num_thresholds=1000000000)]
