# keras.metrics.Mean averages values; model.compile calls metrics with (targets, predictions).
input x: float32[8]

output y = x -> Dense(1)
    loss mse
    metrics [mean]
