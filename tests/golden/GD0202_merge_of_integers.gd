# Keras declares float32 for a merge of integers, but computes integers when data flows
input a: int32[4]
input b: int64[4]

both = add(a, b)
output y = both -> Dense(1)
    loss mse
