# Each block calls the one before twice: 2 ** 30 layers. Refused quickly, not after a billion steps.
input x: float32[4]

block b0(x) {
    return x -> Dense(4)
}

block b1(x) {
    return x -> b0() -> b0()
}

block b2(x) {
    return x -> b1() -> b1()
}

block b3(x) {
    return x -> repeat(1000, b2())
}

block b4(x) {
    return x -> repeat(1000, b3())
}

output y = x -> b4()
    loss mse
