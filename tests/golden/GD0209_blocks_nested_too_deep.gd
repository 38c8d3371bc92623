# Each block calls the one before: 80 calls nested in each other, more than expansion goes.
input x: float32[4]
block b0(x) {
    return x -> Dense(4)
}
block b1(x) {
    return x -> b0()
}
block b2(x) {
    return x -> b1()
}
block b3(x) {
    return x -> b2()
}
block b4(x) {
    return x -> b3()
}
block b5(x) {
    return x -> b4()
}
block b6(x) {
    return x -> b5()
}
block b7(x) {
    return x -> b6()
}
block b8(x) {
    return x -> b7()
}
block b9(x) {
    return x -> b8()
}
block b10(x) {
    return x -> b9()
}
block b11(x) {
    return x -> b10()
}
block b12(x) {
    return x -> b11()
}
block b13(x) {
    return x -> b12()
}
block b14(x) {
    return x -> b13()
}
block b15(x) {
    return x -> b14()
}
block b16(x) {
    return x -> b15()
}
block b17(x) {
    return x -> b16()
}
block b18(x) {
    return x -> b17()
}
block b19(x) {
    return x -> b18()
}
block b20(x) {
    return x -> b19()
}
block b21(x) {
    return x -> b20()
}
block b22(x) {
    return x -> b21()
}
block b23(x) {
    return x -> b22()
}
block b24(x) {
    return x -> b23()
}
block b25(x) {
    return x -> b24()
}
block b26(x) {
    return x -> b25()
}
block b27(x) {
    return x -> b26()
}
block b28(x) {
    return x -> b27()
}
block b29(x) {
    return x -> b28()
}
block b30(x) {
    return x -> b29()
}
block b31(x) {
    return x -> b30()
}
block b32(x) {
    return x -> b31()
}
block b33(x) {
    return x -> b32()
}
block b34(x) {
    return x -> b33()
}
block b35(x) {
    return x -> b34()
}
block b36(x) {
    return x -> b35()
}
block b37(x) {
    return x -> b36()
}
block b38(x) {
    return x -> b37()
}
block b39(x) {
    return x -> b38()
}
block b40(x) {
    return x -> b39()
}
block b41(x) {
    return x -> b40()
}
block b42(x) {
    return x -> b41()
}
block b43(x) {
    return x -> b42()
}
block b44(x) {
    return x -> b43()
}
block b45(x) {
    return x -> b44()
}
block b46(x) {
    return x -> b45()
}
block b47(x) {
    return x -> b46()
}
block b48(x) {
    return x -> b47()
}
block b49(x) {
    return x -> b48()
}
block b50(x) {
    return x -> b49()
}
block b51(x) {
    return x -> b50()
}
block b52(x) {
    return x -> b51()
}
block b53(x) {
    return x -> b52()
}
block b54(x) {
    return x -> b53()
}
block b55(x) {
    return x -> b54()
}
block b56(x) {
    return x -> b55()
}
block b57(x) {
    return x -> b56()
}
block b58(x) {
    return x -> b57()
}
block b59(x) {
    return x -> b58()
}
block b60(x) {
    return x -> b59()
}
block b61(x) {
    return x -> b60()
}
block b62(x) {
    return x -> b61()
}
block b63(x) {
    return x -> b62()
}
block b64(x) {
    return x -> b63()
}
block b65(x) {
    return x -> b64()
}
block b66(x) {
    return x -> b65()
}
block b67(x) {
    return x -> b66()
}
block b68(x) {
    return x -> b67()
}
block b69(x) {
    return x -> b68()
}
block b70(x) {
    return x -> b69()
}
block b71(x) {
    return x -> b70()
}
block b72(x) {
    return x -> b71()
}
block b73(x) {
    return x -> b72()
}
block b74(x) {
    return x -> b73()
}
block b75(x) {
    return x -> b74()
}
block b76(x) {
    return x -> b75()
}
block b77(x) {
    return x -> b76()
}
block b78(x) {
    return x -> b77()
}
block b79(x) {
    return x -> b78()
}
output y = x -> b79() loss mse
