# Deeply nested arithmetic.
param width = ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((8))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))
input x: float32[8]

output y = x -> Dense(width) -> Dense(1) loss mse
