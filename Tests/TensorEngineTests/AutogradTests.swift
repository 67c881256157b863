import Testing
@testable import TensorEngine

@Test func gradientsAccumulateAcrossBackwardCalls() {
    let x = Tensor(shape: [3], values: [1, 2, 3], requiresGradient: true)
    (x * x).sum().backward()
    #expect(x.gradient?.values == [2, 4, 6])
    (x * x).sum().backward()
    #expect(x.gradient?.values == [4, 8, 12])
    x.zeroGradient()
    #expect(x.gradient == nil)
}

@Test func tensorUsedTwiceCollectsBothGradients() {
    // y = x·x + 3x, dy/dx = 2x + 3.
    let x = Tensor(shape: [2], values: [1, -2], requiresGradient: true)
    (x * x + x * 3).sum().backward()
    #expect(x.gradient?.values == [5, -1])
}

@Test func noGradientModeRecordsNothing() {
    let x = Tensor(shape: [2], values: [1, 2], requiresGradient: true)
    let y = withNoGradient { (x * x).sum() }
    #expect(!y.requiresGradient)
    #expect(y.operation == nil)
    #expect(y.scalar == 5)
    #expect(GradientMode.isEnabled)
}

@Test func resultsOfConstantsNeedNoGradient() {
    let a = Tensor(shape: [2], values: [1, 2])
    #expect(!(a * a).requiresGradient)
}

@Test func firstNonFiniteNamesTheOpThatMadeIt() {
    // log(0) = -inf appears first in the log, then spreads to the sum.
    let x = Tensor(shape: [1, 3], values: [1, 0, 2], requiresGradient: true)
    let loss = x.relu().log().sum()
    #expect(!loss.scalar.isFinite)
    let report = loss.firstNonFinite()
    #expect(report == NonFiniteReport(operation: "log", shape: [1, 3], index: 1, value: -.infinity))
}

@Test func firstNonFiniteIsNilForFiniteValues() {
    let x = Tensor(shape: [2], values: [1, 2], requiresGradient: true)
    #expect((x * x).sum().firstNonFinite() == nil)
}

@Test func seededGeneratorRepeatsItsSequence() {
    var first = SeededGenerator(seed: 42), second = SeededGenerator(seed: 42), other = SeededGenerator(seed: 43)
    let a = (0..<5).map { _ in first.next() }
    #expect(a == (0..<5).map { _ in second.next() })
    #expect(a != (0..<5).map { _ in other.next() })
    let uniform = (0..<1000).map { _ in first.uniform(-2, 2) }
    #expect(uniform.allSatisfy { $0 >= -2 })
    #expect(uniform.allSatisfy { $0 < 2 })
    #expect(abs(uniform.reduce(0, +) / 1000) < 0.2)
}

@Test func shapeMismatchStopsWithBothShapes() async {
    await #expect(processExitsWith: .failure) {
        let a = Tensor.zeros([2, 3]), b = Tensor.zeros([3, 2])
        _ = a + b
    }
}
