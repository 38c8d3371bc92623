# (once a bug) the broken output hides its uses: spurious "no output" and "never used" diagnostics
# Predict a price from tabular features.
input features: float32[12]

output weight = features -> Dense(32, activation="relu") -> Dense(1) loss mse
