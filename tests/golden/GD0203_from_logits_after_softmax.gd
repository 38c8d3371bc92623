# The loss is told the output is logits, but the output is already a softmax (a warning: it trains).
input x: float32[8]

output topic = x -> Dense(4, activation="softmax")
    loss categorical_crossentropy(from_logits=True)
    metrics [categorical_accuracy]
