import Foundation
import Testing
@testable import TensorEngine

@Suite struct BatchNormPoolingTests {
    /// Two batches of different sizes, `[N, 2, H, W]`, with channel 1 ten
    /// times channel 0 plus an offset, so the channels' statistics differ.
    static let batches: [Tensor] = [
        Tensor(shape: [2, 2, 1, 2], values: [1, 2, 13, 23, 3, 5, 33, 53]),
        Tensor(shape: [1, 2, 2, 1], values: [-4, 8, -37, 83]),
    ]

    /// Returns the mean and unbiased variance of each channel over all batches at once.
    static func expectedStatistics() -> (means: [Double], variances: [Double]) {
        var channels: [[Double]] = [[], []]
        for batch in batches {
            let (n, c, plane) = (batch.shape[0], batch.shape[1], batch.shape[2] * batch.shape[3])
            for sample in 0..<n { for channel in 0..<c {
                let start = (sample * c + channel) * plane
                channels[channel] += batch.values[start..<(start + plane)].map(Double.init)
            } }
        }
        let means = channels.map { $0.reduce(0, +) / Double($0.count) }
        let variances = zip(channels, means).map { values, mean in
            values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        }
        return (means, variances)
    }

    @Test func poolingSetsStatisticsOfAllBatchesAtOnce() {
        let layer = BatchNorm2d(channels: 2)
        layer.beginPooling()
        for batch in Self.batches { _ = withNoGradient { layer(batch) } }
        layer.endPooling()
        let expected = Self.expectedStatistics()
        // Means 2.5 and 28 over six values each.
        #expect(abs(expected.means[0] - 2.5) < 1e-9)
        #expect(abs(expected.means[1] - 28) < 1e-9)
        for channel in 0..<2 {
            #expect(abs(Double(layer.runningMean.values[channel]) - expected.means[channel]) < 1e-4)
            #expect(abs(Double(layer.runningVariance.values[channel]) - expected.variances[channel])
                    < 1e-4 * expected.variances[channel])
        }
        #expect(layer.trackedBatches.values == [0])
    }

    @Test func poolingPassNormalisesAsTrainingDoes() {
        let pooled = BatchNorm2d(channels: 2), trained = BatchNorm2d(channels: 2)
        pooled.beginPooling()
        for batch in Self.batches {
            let fromPooling = withNoGradient { pooled(batch, fusedReLU: true) }
            let fromTraining = trained(batch, fusedReLU: true)
            #expect(zip(fromPooling.values, fromTraining.values).allSatisfy { abs($0 - $1) < 1e-5 })
            #expect(fromPooling.values.contains { $0 > 0.5 })
        }
        pooled.endPooling()
    }

    @Test func poolingWithoutBatchesKeepsRunningStatistics() {
        let layer = BatchNorm2d(channels: 2)
        _ = layer(Self.batches[0])
        let (means, variances) = (layer.runningMean.values, layer.runningVariance.values)
        layer.beginPooling()
        layer.endPooling()
        #expect(layer.runningMean.values == means)
        #expect(layer.runningVariance.values == variances)
        #expect(means != [0, 0])
    }

    @Test func networkListsItsBatchNormalisationsInOrder() {
        var generator = SeededGenerator(seed: 2)
        let first = BatchNorm2d(channels: 4), second = BatchNorm2d(channels: 2)
        let network = Sequential([
            Conv2d(inChannels: 3, outChannels: 4, kernelSize: 1, generator: &generator), first, ReLU(),
            Sequential([Conv2d(inChannels: 4, outChannels: 2, kernelSize: 1, generator: &generator), second]),
        ])
        #expect(network.batchNormalizations.map { ObjectIdentifier($0) } == [ObjectIdentifier(first), ObjectIdentifier(second)])
    }
}
