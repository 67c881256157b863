import Testing
import TensorEngine

@Test func threadCountIsSettable() {
    let original = EngineThreads.count
    EngineThreads.set(1)
    #expect(EngineThreads.count == 1)
    EngineThreads.set(original)
    #expect(EngineThreads.count == original)
}
