# A string literal holding a terminal escape sequence (ESC [31m) and a right-to-left override:
# messages show them escaped, the source line shows their control pictures.
input x: float32[8]

output y = x -> Dense(1, activation="[31mrelu‮")
    loss mse
